"""What every benchmark here shares: core pinning, a throwaway PostgreSQL, interleaved rounds."""
