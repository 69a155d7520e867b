/**
 * Errors raised while fetching or starting a real engine (a Maven artifact, a JVM). `engines/`
 * imports nothing of ours, so these extend `Error` directly; each names the artifact or process
 * and says what to look at.
 */
export class EngineError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A Maven artifact (or one of its dependencies) could not be resolved to local jars. */
export class MavenResolveError extends EngineError {
  constructor(
    readonly coordinates: string,
    readonly attempts: number,
    readonly output: string,
  ) {
    super(
      `could not resolve Maven artifact ${coordinates} after ${attempts} attempt(s) with the 'mvn' ` +
        `on PATH (is Maven installed and Maven Central reachable?). Last output:\n${output}`,
    );
  }
}

/** A JVM exited, or never became ready, within its start timeout. */
export class JavaProcessError extends EngineError {
  constructor(
    readonly processName: string,
    problem: string,
    readonly logFile: string,
    readonly logTail: string,
  ) {
    super(`${processName}: ${problem} (log: ${logFile}). Last lines of its log:\n${logTail}`);
  }
}

/** A PyPI package could not be downloaded or unpacked. */
export class PypiFetchError extends EngineError {
  constructor(
    readonly requirement: string,
    readonly attempts: number,
    readonly output: string,
  ) {
    super(
      `could not fetch ${requirement} from PyPI after ${attempts} attempt(s) with pip ` +
        `(is Python's pip installed and PyPI reachable? set TRIBUTARY_PIP to another pip). Last output:\n${output}`,
    );
  }
}

/** No `java` to run: `$JAVA_HOME/bin/java` and `java` on PATH are both missing or broken. */
export class JavaMissingError extends EngineError {
  constructor(readonly engine: string, detail: string) {
    super(`${engine} needs Java 17 or newer, and no java could be run (${detail}): install a JDK 17 (e.g. "apt-get install openjdk-17-jre-headless") or set JAVA_HOME`);
  }
}
