// Package capclaim claims keys through a port with an optional capability,
// configured as the kvlint command discovers it (see TestOptionalCapability).
package capclaim

import (
	"context"
	"errors"

	"kvlint.test/cfv0119/capstore"
)

var errEnrolled = errors.New("device already enrolled")

// A claim written through the optional capability when the store has it:
// the same store as the one checked, seen as a MetaWriter.
func enroll(ctx context.Context, ns capstore.Namespace, serial string, record []byte) error {
	key := "device/" + serial
	if _, err := ns.Get(ctx, key); err == nil {
		return errEnrolled
	} else if !errors.Is(err, capstore.ErrNotFound) {
		return err
	}
	if mw, ok := ns.(capstore.MetaWriter); ok {
		return mw.PutMeta(ctx, key, record, map[string]any{"serial": serial}) // want `check-then-create on one KV key`
	}
	return ns.Put(ctx, key, record) // want `check-then-create on one KV key`
}

// Quiet: the check is of another store's key.
func enrollMirrored(ctx context.Context, ns, mirror capstore.Namespace, serial string, record []byte) error {
	key := "device/" + serial
	if _, err := mirror.Get(ctx, key); err == nil {
		return errEnrolled
	}
	if mw, ok := ns.(capstore.MetaWriter); ok {
		return mw.PutMeta(ctx, key, record, nil)
	}
	return nil
}
