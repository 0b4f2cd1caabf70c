// Package rotation stages its writes in a unit of work whose keys are
// types of a package that uses no KV.
package rotation

import (
	"kvlint.test/syumai033/keynames"
	"kvlint.test/syumai033/units"
)

// A new key created and the old one deleted, both staged: the delete is
// reported where it is staged, the commit not at all.
func RotateAPIKey(b *units.Batch, oldHash, newHash, record string) error { // want RotateAPIKey:"kvsession"
	b.Create(keynames.APIKey{Hash: newHash}, record)
	b.Delete(keynames.APIKey{Hash: oldHash}) // want `An API key revoked or consumed by a KV delete`
	return b.Commit()
}

// Quiet: a badge replaced.
func Rebadge(b *units.Batch, oldProject, newProject, svg string) error {
	b.Create(keynames.Badge{Project: newProject}, svg)
	b.Delete(keynames.Badge{Project: oldProject})
	return b.Commit()
}
