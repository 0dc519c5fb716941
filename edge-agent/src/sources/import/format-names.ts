/** The file formats `import` and `replay` read (named with --format, or found by detectFormat). */
export const FORMATS = [
  "wigle",
  "iw",
  "iwlist",
  "nmcli",
  "netxml",
  "gpsxml",
  "kismet",
  "gpsd",
  "nmea",
  "btmgmt",
  "bluetoothctl",
] as const;
export type Format = (typeof FORMATS)[number];
