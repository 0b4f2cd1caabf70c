// Package settings is a service's configuration, whose methods say how
// long things live.
package settings

import "time"

type Config struct {
	BoardSeconds int
}

// PresenceTTL is how long a check-in keeps a member on the live board.
func (c Config) PresenceTTL() time.Duration { return 45 * time.Second } // kvttl

// BoardTTL is the look-alike: configured in seconds.
func (c Config) BoardTTL() time.Duration { return time.Duration(c.BoardSeconds) * time.Second }
