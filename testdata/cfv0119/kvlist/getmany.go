package kvlist

import (
	"context"

	"kvlint.test/cfv0119/kvlist/vhosts"
)

// Keys a helper lists, handed whole to a helper that reads each one:
// the N+1 is in the helper's loop, and the caller makes it.
func reloadHosts(ctx context.Context, s *vhosts.Store) ([][]byte, error) { // want reloadHosts:"kvlist"
	keys, err := s.Keys(ctx, "srv:", 20)
	if err != nil {
		return nil, err
	}
	return s.Values(ctx, keys) // want `one get per listed key \(N\+1\)`
}

// Quiet: the keys read are the ones a request names, not a listing's.
func hostsNamed(ctx context.Context, s *vhosts.Store, names []string) ([][]byte, error) {
	return s.Values(ctx, names)
}

// Quiet: a fixed pair of keys.
func defaults(ctx context.Context, s *vhosts.Store) ([][]byte, error) {
	return s.Values(ctx, []string{"srv:default", "srv:fallback"})
}

// Quiet: one get of the first listed key, however many were listed.
func firstHost(ctx context.Context, s *vhosts.Store) ([]byte, error) {
	keys, err := s.Keys(ctx, "srv:", 1)
	if err != nil || len(keys) == 0 {
		return nil, err
	}
	return s.First(ctx, keys)
}
