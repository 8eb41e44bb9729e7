@REM Runs Maven for this project on Windows: uses the Maven on PATH (3.6.3 or newer).
@echo off
setlocal
where mvn >nul 2>nul
if errorlevel 1 (
  echo mvnw: no Maven was found on PATH; install Maven 3.6.3 or newer and run again. 1>&2
  exit /b 1
)
cd /d "%~dp0"
mvn %*
