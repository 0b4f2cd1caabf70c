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

// Quiet: key values filled in by a function, whose fields are not known
// here; the read and the write may name different riders.
func fillBadge(b *keys.Badge, rider string) { b.Rider = rider }

func (f *flags) badgesOf(ctx context.Context, rider string) (string, error) {
	var b keys.Badge
	fillBadge(&b, rider)
	raw, err := f.read(ctx, b.String())
	return string(raw), err
}

func (f *flags) copyBadges(ctx context.Context, from, to string) error {
	list, err := f.badgesOf(ctx, from)
	if err != nil {
		return err
	}
	var b keys.Badge
	fillBadge(&b, to)
	return f.write(ctx, b.String(), []byte(list))
}

// Quiet: a key value copied from a parameter and changed; its other
// fields are the caller's, not zero.
func (f *flags) badgesThisYear(ctx context.Context, b keys.Badge) (string, error) {
	k := b
	k.Year = 2026
	raw, err := f.read(ctx, k.String())
	return string(raw), err
}

func (f *flags) moveBadges(ctx context.Context, from, to keys.Badge) error {
	list, err := f.badgesThisYear(ctx, from)
	if err != nil {
		return err
	}
	k := to
	k.Year = 2026
	return f.write(ctx, k.String(), []byte(list))
}
