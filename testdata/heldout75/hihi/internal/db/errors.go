package db

import "errors"

// ErrNoRows is returned by every DBTX implementation when a key is missing.
// It lives outside the generated files so that adapters can share it.
var ErrNoRows = errors.New("db: no rows in result set")
