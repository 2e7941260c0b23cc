// kami:tool/host@0.1.0 for the reference run under node (jco transpile): collects log lines.
export const logs = [];
export function log(level, message) {
  logs.push({ level, message });
}
