/**
 * Fixed vocabularies of the synthetic generator: offence categories, modus-operandi groups and values
 * (each list ordered from common to rare; the generator draws them with Zipf weights), evidence kinds,
 * Chinese place-name syllables and narrative phrases.
 */

/**
 * Offence categories produced by the generator, in a fixed order (the index is stored in typed arrays).
 *
 * @example
 * CATEGORIES.includes('theft.ebike') // true
 */
export const CATEGORIES = [
  'burglary.residential',
  'burglary.shop',
  'theft.ebike',
  'theft.parcel',
  'theft.vehicle',
  'theft.livestock',
  'theft.pickpocket',
  'fraud.telecom',
] as const

/** One of {@link CATEGORIES}. */
export type GeneratedCategory = (typeof CATEGORIES)[number]

export const CAT_RESIDENTIAL = 0
export const CAT_SHOP = 1
export const CAT_EBIKE = 2
export const CAT_PARCEL = 3
export const CAT_VEHICLE = 4
export const CAT_LIVESTOCK = 5
export const CAT_PICKPOCKET = 6
export const CAT_FRAUD = 7

/** A modus-operandi group: its name and values, most common first. */
export interface MoGroup {
  readonly group: string
  readonly values: readonly string[]
  /** Zipf exponent of the value frequencies (larger: the first values dominate more). */
  readonly zipf: number
}

const approach: MoGroup = {
  group: 'approach',
  values: ['on-foot', 'e-bike', 'motorbike', 'car', 'bicycle', 'van', 'taxi'],
  zipf: 1.1,
}

/** MO groups recorded for each category (index = category index). */
export const MO_GROUPS: readonly (readonly MoGroup[])[] = [
  [
    {
      group: 'entry',
      values: [
        'pry-door',
        'unlocked-door',
        'slip-lock',
        'pry-window',
        'climb-balcony',
        'tin-foil-lock',
        'break-window',
        'duplicate-key',
        'drill-lock',
        'cut-window-bars',
        'climb-pipe',
        'roof-tiles',
      ],
      zipf: 0.9,
    },
    {
      group: 'target',
      values: ['cash', 'jewelry', 'phone', 'liquor-tobacco', 'laptop', 'gold', 'handbag', 'watch', 'camera'],
      zipf: 0.9,
    },
    {
      group: 'tool',
      values: [
        'screwdriver',
        'crowbar',
        'tin-foil',
        'lock-pick',
        'plastic-card',
        'glass-cutter',
        'jack',
        'wire-cutter',
      ],
      zipf: 0.8,
    },
    { group: 'search', values: ['ransack', 'targeted', 'bedroom-only', 'tidy'], zipf: 1.0 },
    approach,
  ],
  [
    {
      group: 'entry',
      values: [
        'pry-shutter',
        'break-glass-door',
        'unlocked-door',
        'pry-window',
        'roof',
        'drill-lock',
        'wall-hole',
      ],
      zipf: 0.9,
    },
    {
      group: 'target',
      values: ['till-cash', 'cigarettes', 'liquor', 'phones', 'cosmetics', 'safe', 'gold'],
      zipf: 0.9,
    },
    {
      group: 'tool',
      values: ['crowbar', 'jack', 'screwdriver', 'hammer', 'angle-grinder', 'wire-cutter'],
      zipf: 0.8,
    },
    approach,
  ],
  [
    {
      group: 'method',
      values: ['short-circuit', 'cut-lock', 'carry-away', 'master-key', 'battery-only', 'tow'],
      zipf: 0.9,
    },
    {
      group: 'location',
      values: ['residential-compound', 'roadside', 'market', 'school', 'hospital', 'station', 'factory'],
      zipf: 0.8,
    },
    { group: 'target', values: ['whole-bike', 'battery', 'charger', 'basket-goods'], zipf: 1.2 },
    approach,
  ],
  [
    {
      group: 'location',
      values: ['doorstep', 'courier-station', 'locker', 'mailroom', 'shop-counter'],
      zipf: 0.9,
    },
    {
      group: 'method',
      values: ['grab', 'impersonate-recipient', 'pickup-code', 'follow-courier', 'open-locker'],
      zipf: 0.9,
    },
    { group: 'target', values: ['any-parcel', 'large-parcel', 'fresh-food', 'electronics'], zipf: 1.0 },
    approach,
  ],
  [
    {
      group: 'entry',
      values: ['smash-window', 'unlocked-car', 'signal-jammer', 'pry-door', 'sunroof', 'spare-key'],
      zipf: 0.9,
    },
    {
      group: 'target',
      values: ['cash', 'bag', 'phone', 'cigarettes', 'fuel', 'tools', 'license-plate'],
      zipf: 0.8,
    },
    {
      group: 'location',
      values: ['roadside', 'car-park', 'residential-compound', 'construction-site'],
      zipf: 0.9,
    },
    approach,
  ],
  [
    { group: 'target', values: ['cattle', 'pig', 'sheep', 'chicken', 'dog', 'duck', 'fish-pond'], zipf: 0.8 },
    {
      group: 'method',
      values: ['drive-away', 'cut-fence', 'poison-dog', 'sedate-animal', 'slaughter-on-site'],
      zipf: 0.8,
    },
    approach,
  ],
  [
    {
      group: 'location',
      values: ['bus', 'market', 'station', 'hospital', 'square', 'supermarket', 'temple-fair'],
      zipf: 0.8,
    },
    {
      group: 'method',
      values: ['reach-in', 'slit-bag', 'cover-with-coat', 'team-jostle', 'tweezers'],
      zipf: 0.9,
    },
    { group: 'target', values: ['phone', 'wallet', 'cash', 'bank-card'], zipf: 1.0 },
  ],
  [
    {
      group: 'script',
      values: [
        'brush-orders',
        'impersonate-customer-service',
        'fake-loan',
        'impersonate-police',
        'investment',
        'dating',
        'impersonate-acquaintance',
        'fake-shopping',
        'game-trading',
        'impersonate-boss',
      ],
      zipf: 0.7,
    },
    { group: 'channel', values: ['phone-call', 'wechat', 'sms', 'qq', 'app', 'dating-site'], zipf: 0.8 },
    {
      group: 'payment',
      values: ['bank-transfer', 'alipay', 'wechat-pay', 'crypto', 'gift-card', 'cash-pickup'],
      zipf: 0.8,
    },
    { group: 'victim', values: ['elderly', 'student', 'office-worker', 'housewife', 'merchant'], zipf: 0.6 },
  ],
]

/**
 * Personal habits (`sign:` values), common to rare. An offender has one to three; they appear in most of
 * the offender's crimes and are what makes MO discriminative beyond the common category values.
 */
export const SIGNATURE_VALUES: readonly string[] = [
  'gloves',
  'mask',
  'hood',
  'cover-camera',
  'knock-first',
  'lookout',
  'cut-power',
  'smoke-at-scene',
  'take-only-cash',
  'ring-doorbell',
  'call-first',
  'pose-as-delivery',
  'leave-tool',
  'eat-at-scene',
  'top-floor',
  'ground-floor',
  'rainy-night',
  'pose-as-repairman',
  'shoe-covers',
  'cut-phone-line',
  'swap-plates',
  'stolen-vehicle',
  'chalk-mark-circle',
  'chalk-mark-cross',
  'chalk-mark-triangle',
  'sticker-mark',
  'urinate-at-scene',
  'lock-victim-in',
  'move-furniture',
  'open-fridge',
  'red-flashlight',
  'dog-bait',
  'change-clothes',
  'flyer-in-door',
  'water-meter-check',
  'pose-as-inspector',
  'wear-uniform',
  'leave-note',
  'tape-peephole',
  'glue-lock',
  'wipe-prints',
  'helmet',
  'unplated-scooter',
  'use-ladder',
  'new-estates',
  'remote-houses',
  'leave-door-open',
  'check-mailbox',
  'spray-camera',
  'bring-own-bag',
  'walkie-talkie',
  'pose-as-cleaner',
  'disable-alarm',
  'cut-screen',
  'hide-in-stairwell',
  'steal-keys-first',
  'target-cash-drawer',
  'night-market-days',
  'move-goods-by-tricycle',
  'leave-cigarette-brand-x',
]

/** Zipf exponent of the habit values. */
export const SIGNATURE_ZIPF = 0.6

/** Shoe models seen in shoe prints, common to rare (shared across offenders: weak evidence). */
export const SHOE_MODELS: readonly string[] = [
  'HL-WXL',
  'AD-SS',
  'NK-AF1',
  'LN-WD',
  'AT-KT',
  'XT-360',
  'PK-RUN',
  'ER-X',
  'QD-FJ',
  'HL-CV',
  'DB-W',
  'NB-574',
  'VS-OS',
  'JD-LB',
  'SK-GO',
  'MB-FLAT',
  'BT-01',
  'KM-BOOT',
  'YC-RAIN',
  'WK-SAFE',
]

/** Syllables for Chinese place names. */
export const NAME_SYLLABLES =
  '安宝北长城大东丰福高古关光广河和红湖华黄惠吉江金锦九康兰乐李利林龙马梅明南宁平浦埔七桥青清庆仁三沙山上石双顺松太汤桃天田通王旺文西溪仙新兴阳杨永玉园云枣张正中周朱竹庄'

/** Chinese summaries of MO values used by the narrative templates. */
export const MO_TEXT: Readonly<Record<string, string>> = {
  'entry:pry-door': '撬门',
  'entry:unlocked-door': '从未锁的门',
  'entry:slip-lock': '插片开锁',
  'entry:pry-window': '撬窗',
  'entry:climb-balcony': '攀爬阳台',
  'entry:tin-foil-lock': '锡纸开锁',
  'entry:break-window': '打碎窗户',
  'entry:duplicate-key': '用配制钥匙开门',
  'entry:drill-lock': '钻锁',
  'entry:cut-window-bars': '剪断防盗窗',
  'entry:climb-pipe': '顺水管攀爬',
  'entry:roof-tiles': '揭瓦',
  'entry:pry-shutter': '撬卷帘门',
  'entry:break-glass-door': '砸碎玻璃门',
  'entry:roof': '从屋顶',
  'entry:wall-hole': '凿墙打洞',
  'entry:smash-window': '砸碎车窗',
  'entry:unlocked-car': '拉开未锁车门',
  'entry:signal-jammer': '用信号干扰器',
  'entry:sunroof': '从天窗',
  'entry:spare-key': '用备用钥匙',
  'method:short-circuit': '短接电路',
  'method:cut-lock': '剪断车锁',
  'method:carry-away': '直接搬走',
  'method:master-key': '用万能钥匙',
  'method:battery-only': '拆走电瓶',
  'method:tow': '拖走',
  'method:grab': '顺手拿走',
  'method:impersonate-recipient': '冒充收件人',
  'method:pickup-code': '冒用取件码',
  'method:follow-courier': '尾随快递员',
  'method:open-locker': '撬开快递柜',
  'method:drive-away': '开车运走',
  'method:cut-fence': '剪断围栏',
  'method:poison-dog': '投毒药狗',
  'method:sedate-animal': '使用麻醉剂',
  'method:slaughter-on-site': '就地宰杀',
  'method:reach-in': '探手入包',
  'method:slit-bag': '割包',
  'method:cover-with-coat': '用衣物遮挡',
  'method:team-jostle': '结伙拥挤',
  'method:tweezers': '用镊子夹取',
  'script:brush-orders': '刷单返利',
  'script:impersonate-customer-service': '冒充客服退款',
  'script:fake-loan': '虚假贷款',
  'script:impersonate-police': '冒充公检法',
  'script:investment': '虚假投资理财',
  'script:dating': '网络交友',
  'script:impersonate-acquaintance': '冒充熟人',
  'script:fake-shopping': '虚假购物',
  'script:game-trading': '游戏装备交易',
  'script:impersonate-boss': '冒充领导',
}

/** Chinese names of stolen goods by MO target value. */
export const TARGET_TEXT: Readonly<Record<string, string>> = {
  cash: '现金',
  jewelry: '金银首饰',
  phone: '手机',
  'liquor-tobacco': '烟酒',
  laptop: '笔记本电脑',
  gold: '黄金饰品',
  handbag: '手提包',
  watch: '手表',
  camera: '相机',
  'till-cash': '收银台现金',
  cigarettes: '香烟',
  liquor: '白酒',
  phones: '手机',
  cosmetics: '化妆品',
  safe: '保险柜',
  'whole-bike': '电动自行车',
  battery: '电瓶',
  charger: '充电器',
  'basket-goods': '车篮内物品',
  'any-parcel': '快递包裹',
  'large-parcel': '大件快递',
  'fresh-food': '生鲜快递',
  electronics: '电子产品快递',
  bag: '包',
  fuel: '燃油',
  tools: '工具',
  'license-plate': '车牌',
  cattle: '耕牛',
  pig: '生猪',
  sheep: '羊',
  chicken: '鸡',
  dog: '狗',
  duck: '鸭',
  'fish-pond': '鱼塘鱼',
  wallet: '钱包',
  'bank-card': '银行卡',
}

/** Narrative scene by category. */
export const SCENE_TEXT: readonly string[] = [
  '家中被盗',
  '店铺被盗',
  '电动车被盗',
  '快递被盗',
  '车内财物被盗',
  '家畜被盗',
  '随身财物被扒窃',
  '遭遇电信网络诈骗',
]

/** Province abbreviations for plates. */
export const PLATE_LETTERS = 'ABCDEFGHJKLMN'
/** Plate characters (no I, O). */
export const PLATE_CHARS = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ'
/** Mobile number prefixes. */
export const PHONE_PREFIXES: readonly string[] = [
  '130',
  '131',
  '132',
  '135',
  '136',
  '138',
  '139',
  '150',
  '151',
  '152',
  '157',
  '158',
  '159',
  '170',
  '171',
  '176',
  '177',
  '180',
  '181',
  '185',
  '186',
  '187',
  '188',
  '189',
  '199',
]
