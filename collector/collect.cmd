@echo off
rem ==========================================================================
rem vmes-audit : lanceur du collecteur (double-clic ou invite de commandes)
rem   collect.cmd [/account:NOM] [/out:DOSSIER] [/exchange] [/dryrun] ...
rem Utilise le cscript de System32 (64 bits sur Windows 64 bits, via
rem Sysnative si ce lanceur tourne lui-meme en 32 bits) et passe les options.
rem ==========================================================================
setlocal
set "VMES_CSCRIPT=%SystemRoot%\System32\cscript.exe"
if exist "%SystemRoot%\Sysnative\cscript.exe" set "VMES_CSCRIPT=%SystemRoot%\Sysnative\cscript.exe"
"%VMES_CSCRIPT%" //nologo "%~dp0collect.vbs" %*
set "VMES_RC=%ERRORLEVEL%"
rem Double-clic : la fenetre se fermerait aussitot ; on attend une touche.
echo %CMDCMDLINE% | find /i "%~nx0" >nul && echo %CMDCMDLINE% | find /i "/c" >nul && pause
endlocal & exit /b %VMES_RC%
