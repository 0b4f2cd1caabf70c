package kvrace

import (
	"errors"

	"kvlint.test/syumai033/valuebucket"
)

var errReserved = errors.New("handle taken")

// The check and the claim each ask the bucket for its namespace: one
// namespace, the field the accessor returns.
func reserveHandle(b valuebucket.Bucket, handle, member string) error {
	key := "handle:" + handle
	cur, err := b.NS().GetString(key, nil)
	if err != nil {
		return err
	}
	if cur != "<null>" {
		return errReserved
	}
	return b.NS().PutString(key, member, nil) // want `check-then-create on one KV key`
}

// Quiet: the claim is written to another bucket than the one checked.
func mirrorReservedHandle(from, to valuebucket.Bucket, handle, member string) error {
	key := "handle:" + handle
	cur, err := from.NS().GetString(key, nil)
	if err != nil {
		return err
	}
	if cur != "<null>" {
		return errReserved
	}
	return to.NS().PutString(key, member, nil)
}
