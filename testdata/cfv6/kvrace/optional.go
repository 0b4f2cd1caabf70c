package kvrace

import (
	"context"
	"fmt"

	"kvlint.test/cfv6/optrepo"
)

type tubeClaim struct {
	Code, Sample, By string
	Locked           bool
}

type tubes struct {
	claims *optrepo.Repo[tubeClaim]
}

// Check-then-create through a generic repository whose Find hands back
// an optional value: a second scanner claims the tube in between.
func (t *tubes) claim(ctx context.Context, code, sample, by string) error {
	existing, err := t.claims.Find(ctx, code)
	if err != nil {
		return err
	}
	if c, ok := existing.Get(); ok {
		if c.Sample == sample {
			return nil
		}
		return fmt.Errorf("%w by sample %s", errTaken, c.Sample)
	}
	return t.claims.Save(ctx, code, tubeClaim{Code: code, Sample: sample, By: by}) // want `check-then-create on one KV key`
}

// The same with a presence test alone.
func (t *tubes) reserve(ctx context.Context, code, by string) error {
	existing, err := t.claims.Find(ctx, code)
	if err != nil {
		return err
	}
	if existing.Present() {
		return errTaken
	}
	return t.claims.Save(ctx, code, tubeClaim{Code: code, By: by}) // want `check-then-create on one KV key`
}

// Look-alike: the value found is used, and a placeholder made from the
// code fills the miss.
func (t *tubes) lookup(ctx context.Context, code string) (tubeClaim, error) {
	existing, err := t.claims.Find(ctx, code)
	if err != nil {
		return tubeClaim{}, err
	}
	if c, ok := existing.Get(); ok {
		return c, nil
	}
	c := tubeClaim{Code: code}
	return c, t.claims.Save(ctx, code, c)
}

// Look-alike: a flag of the record found refuses, not the record's
// presence; the write replaces it.
func (t *tubes) relabel(ctx context.Context, code, sample, by string) error {
	existing, err := t.claims.Find(ctx, code)
	if err != nil {
		return err
	}
	if c, _ := existing.Get(); c.Locked {
		return errTaken
	}
	return t.claims.Save(ctx, code, tubeClaim{Code: code, Sample: sample, By: by})
}
