package kvrace

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"strconv"
)

// A rate limiter's store, whose library calls it with the value it saw
// last and the one to write: a compare-and-swap made of a get and a put.
func (f *flags) compareAndSwap(ctx context.Context, key string, old, next int64) (bool, error) {
	raw, err := f.read(ctx, "tat:"+key)
	if err != nil {
		return false, err
	}
	cur, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil || cur != old {
		return false, err
	}
	if err := f.write(ctx, "tat:"+key, []byte(strconv.FormatInt(next, 10))); err != nil { // want `compare-and-swap made of a get and a put`
		return false, err
	}
	return true, nil
}

// Look-alike: a write skipped when nothing changed; the put follows a
// difference, not an expected value.
func (f *flags) saveIfChanged(ctx context.Context, key string, next []byte) error {
	raw, err := f.read(ctx, "doc:"+key)
	if err == nil && string(raw) == string(next) {
		return nil
	}
	return f.write(ctx, "doc:"+key, next)
}

// Look-alike: the value is held against something computed here (the
// hash of the old password), not a value the caller last saw.
func (f *flags) changeSecret(ctx context.Context, user, old, next string) (bool, error) {
	raw, err := f.read(ctx, "secret-hash:"+user)
	if err != nil {
		return false, err
	}
	if string(raw) != digest(old) {
		return false, nil
	}
	return true, f.write(ctx, "secret-hash:"+user, []byte(digest(next)))
}

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// casItem is what a memcache-style client hands back from a get, and
// takes again for a compare-and-swap.
type casItem struct {
	Key   string
	Value []byte
	CasID uint64
}

var errCASConflict = errors.New("cas conflict")

// The same with the expected value in a field of the item the caller got.
func (f *flags) compareAndSwapItem(ctx context.Context, item *casItem) error {
	raw, err := f.read(ctx, "mc:"+item.Key)
	if err != nil {
		return err
	}
	if len(raw) < 8 || binary.BigEndian.Uint64(raw) != item.CasID {
		return errCASConflict
	}
	return f.write(ctx, "mc:"+item.Key, item.Value) // want `compare-and-swap made of a get and a put`
}
