package kvnull

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
)

// lookup tells a missing key (false, nil) from a failure (an error).
func (s *store) lookup(ctx context.Context, key string) ([]byte, bool, error) {
	res, err := s.get(ctx, key)
	if notFound(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return b, true, err
}

type policy struct {
	BlockSoft  bool `json:"block_soft"`
	ReviewDays int  `json:"review_days"`
}

// The default goes in on a failure as on a miss: a timeout replaces the
// stored policy.
func (s *store) installPolicy(ctx context.Context) error {
	if _, ok, err := s.lookup(ctx, "policy"); err != nil || !ok { // want `every error of this get is taken for a missing key`
		return s.put(ctx, "policy", policy{BlockSoft: true, ReviewDays: 30})
	}
	return nil
}

// Quiet: a failure is returned; only a miss installs the default.
func (s *store) installPolicyOnMiss(ctx context.Context) error {
	_, ok, err := s.lookup(ctx, "policy")
	if err != nil {
		return err
	}
	if !ok {
		return s.put(ctx, "policy", policy{BlockSoft: true, ReviewDays: 30})
	}
	return nil
}

// readBody reads a response's body, up to a megabyte.
func readBody(res *http.Response) ([]byte, error) {
	return io.ReadAll(io.LimitReader(res.Body, 1<<20))
}

// The body read through a helper: a miss is the error returned above, so
// the empty body never means one.
func (s *store) clinicProfile(ctx context.Context, id string) (policy, bool, error) {
	res, err := s.get(ctx, "profile:"+id)
	if err != nil {
		return policy{}, false, err
	}
	defer res.Body.Close()
	body, err := readBody(res)
	if err != nil {
		return policy{}, false, err
	}
	var p policy
	if len(body) > 0 { // want `this miss check is never true for a missing key`
		return p, true, json.Unmarshal(body, &p)
	}
	return p, false, nil
}
