// Package licenses uses the finder of another package: the record's key
// field is known there from the finder's summary.
package licenses

import (
	"context"

	"kvlint.test/cfv6/records/finder"
)

func AddMachine(ctx context.Context, r *finder.Licenses, id, machine string) error {
	lic, err := r.Find(ctx, id)
	if err != nil {
		return err
	}
	lic.Machines = append(lic.Machines, machine)
	return lic.Save(ctx) // want `read-modify-write on one KV key`
}
