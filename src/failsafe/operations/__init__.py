"""Operations: the schedule, deletion, retention, backups, start-up checks and error reporting."""
