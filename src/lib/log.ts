/** Structured JSON logs, one line each. Document text never goes in a log line at info level. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export type Logger = Record<
  Exclude<LogLevel, 'silent'>,
  (message: string, fields?: Record<string, unknown>) => void
>;

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export function createLogger(
  level: LogLevel,
  write: (line: string) => void = (line) => console.log(line),
): Logger {
  const at =
    (name: Exclude<LogLevel, 'silent'>) =>
    (message: string, fields: Record<string, unknown> = {}) => {
      if (rank[name] < rank[level]) return;
      write(JSON.stringify({ time: new Date().toISOString(), level: name, message, ...fields }));
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
