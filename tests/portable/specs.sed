# The one edit tests/portable/run.sh makes to the isolation specs, besides
# dropping CREATE EXTENSION: deadline_vs_resume sets the default grace to
# 100 ms for its setup transaction with set_config(), which the portable
# edition does not read (a placeholder setting anyone may SET protects
# nothing); it sets the settings row instead, and puts it back at the end
# of the same setup block. The setup is not echoed: the expected output
# stays the extension's.
/^ *CREATE EXTENSION IF NOT EXISTS session_clock; *$/d
s/PERFORM set_config('session_clock\.grace_ms', '100', true);/UPDATE session_clock.settings SET grace_ms = 100;/
/PERFORM session_clock_presence('00000000-0000-0000-0000-0000000000f1', 'a', true);/a\
    UPDATE session_clock.settings SET grace_ms = DEFAULT;
