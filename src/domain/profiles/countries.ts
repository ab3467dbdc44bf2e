/**
 * ISO 3166-1 country codes: every officially assigned alpha-2 code followed by its alpha-3 code
 * (249 countries), taken from Debian's iso-codes 4.15.0 (iso_3166-1.json). A static list: the
 * standard changes a few times a decade, and no package is needed for one lookup.
 */
const PAIRS = [
  'ADAND', 'AEARE', 'AFAFG', 'AGATG', 'AIAIA', 'ALALB', 'AMARM', 'AOAGO', 'AQATA', 'ARARG', 'ASASM', 'ATAUT',
  'AUAUS', 'AWABW', 'AXALA', 'AZAZE', 'BABIH', 'BBBRB', 'BDBGD', 'BEBEL', 'BFBFA', 'BGBGR', 'BHBHR', 'BIBDI',
  'BJBEN', 'BLBLM', 'BMBMU', 'BNBRN', 'BOBOL', 'BQBES', 'BRBRA', 'BSBHS', 'BTBTN', 'BVBVT', 'BWBWA', 'BYBLR',
  'BZBLZ', 'CACAN', 'CCCCK', 'CDCOD', 'CFCAF', 'CGCOG', 'CHCHE', 'CICIV', 'CKCOK', 'CLCHL', 'CMCMR', 'CNCHN',
  'COCOL', 'CRCRI', 'CUCUB', 'CVCPV', 'CWCUW', 'CXCXR', 'CYCYP', 'CZCZE', 'DEDEU', 'DJDJI', 'DKDNK', 'DMDMA',
  'DODOM', 'DZDZA', 'ECECU', 'EEEST', 'EGEGY', 'EHESH', 'ERERI', 'ESESP', 'ETETH', 'FIFIN', 'FJFJI', 'FKFLK',
  'FMFSM', 'FOFRO', 'FRFRA', 'GAGAB', 'GBGBR', 'GDGRD', 'GEGEO', 'GFGUF', 'GGGGY', 'GHGHA', 'GIGIB', 'GLGRL',
  'GMGMB', 'GNGIN', 'GPGLP', 'GQGNQ', 'GRGRC', 'GSSGS', 'GTGTM', 'GUGUM', 'GWGNB', 'GYGUY', 'HKHKG', 'HMHMD',
  'HNHND', 'HRHRV', 'HTHTI', 'HUHUN', 'IDIDN', 'IEIRL', 'ILISR', 'IMIMN', 'ININD', 'IOIOT', 'IQIRQ', 'IRIRN',
  'ISISL', 'ITITA', 'JEJEY', 'JMJAM', 'JOJOR', 'JPJPN', 'KEKEN', 'KGKGZ', 'KHKHM', 'KIKIR', 'KMCOM', 'KNKNA',
  'KPPRK', 'KRKOR', 'KWKWT', 'KYCYM', 'KZKAZ', 'LALAO', 'LBLBN', 'LCLCA', 'LILIE', 'LKLKA', 'LRLBR', 'LSLSO',
  'LTLTU', 'LULUX', 'LVLVA', 'LYLBY', 'MAMAR', 'MCMCO', 'MDMDA', 'MEMNE', 'MFMAF', 'MGMDG', 'MHMHL', 'MKMKD',
  'MLMLI', 'MMMMR', 'MNMNG', 'MOMAC', 'MPMNP', 'MQMTQ', 'MRMRT', 'MSMSR', 'MTMLT', 'MUMUS', 'MVMDV', 'MWMWI',
  'MXMEX', 'MYMYS', 'MZMOZ', 'NANAM', 'NCNCL', 'NENER', 'NFNFK', 'NGNGA', 'NINIC', 'NLNLD', 'NONOR', 'NPNPL',
  'NRNRU', 'NUNIU', 'NZNZL', 'OMOMN', 'PAPAN', 'PEPER', 'PFPYF', 'PGPNG', 'PHPHL', 'PKPAK', 'PLPOL', 'PMSPM',
  'PNPCN', 'PRPRI', 'PSPSE', 'PTPRT', 'PWPLW', 'PYPRY', 'QAQAT', 'REREU', 'ROROU', 'RSSRB', 'RURUS', 'RWRWA',
  'SASAU', 'SBSLB', 'SCSYC', 'SDSDN', 'SESWE', 'SGSGP', 'SHSHN', 'SISVN', 'SJSJM', 'SKSVK', 'SLSLE', 'SMSMR',
  'SNSEN', 'SOSOM', 'SRSUR', 'SSSSD', 'STSTP', 'SVSLV', 'SXSXM', 'SYSYR', 'SZSWZ', 'TCTCA', 'TDTCD', 'TFATF',
  'TGTGO', 'THTHA', 'TJTJK', 'TKTKL', 'TLTLS', 'TMTKM', 'TNTUN', 'TOTON', 'TRTUR', 'TTTTO', 'TVTUV', 'TWTWN',
  'TZTZA', 'UAUKR', 'UGUGA', 'UMUMI', 'USUSA', 'UYURY', 'UZUZB', 'VAVAT', 'VCVCT', 'VEVEN', 'VGVGB', 'VIVIR',
  'VNVNM', 'VUVUT', 'WFWLF', 'WSWSM', 'YEYEM', 'YTMYT', 'ZAZAF', 'ZMZMB', 'ZWZWE',
] as const;

const CODES: ReadonlySet<string> = new Set(PAIRS.flatMap((pair) => [pair.slice(0, 2), pair.slice(2)]));

/** Whether `code` (upper-case) is an ISO 3166-1 alpha-2 or alpha-3 code. */
export function isCountryCode(code: string): boolean {
  return CODES.has(code);
}
