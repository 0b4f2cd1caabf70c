package kvrace

import (
	"context"

	"kvlint.test/cfv6/keys"
)

// Keys made by a key type of another package from a struct literal: the
// same fields make the same key, in the helper that reads and in the
// caller that writes.
func (f *flags) badges(ctx context.Context, rider string, year int) (string, error) {
	b, err := f.read(ctx, keys.Badge{Rider: rider, Year: year}.String())
	return string(b), err
}

func (f *flags) award(ctx context.Context, rider string, year int, badge string) error {
	list, err := f.badges(ctx, rider, year)
	if err != nil {
		return err
	}
	return f.write(ctx, keys.Badge{Rider: rider, Year: year}.String(), []byte(list+","+badge)) // want `read-modify-write on one KV key`
}

// Quiet: another year's list.
func (f *flags) nextYear(ctx context.Context, rider string, year int) error {
	list, err := f.badges(ctx, rider, year)
	if err != nil {
		return err
	}
	return f.write(ctx, keys.Badge{Rider: rider, Year: year + 1}.String(), []byte(list))
}
