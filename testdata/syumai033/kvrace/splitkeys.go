package kvrace

import (
	"errors"
	"strings"

	"github.com/syumai/workers/cloudflare/kv"
)

var errBadID = errors.New("bad id")

func splitRef(ref string) (owner, id string, ok bool) {
	return strings.Cut(ref, ".")
}

func noteKey(owner, id string) string { return "note:" + owner + ":" + id }

// lookupNote reads the note a reference names, split into its owner and
// its ID.
func lookupNote(ns *kv.Namespace, ref string) (string, error) {
	owner, id, ok := splitRef(ref)
	if !ok {
		return "", errBadID
	}
	return ns.GetString(noteKey(owner, id), nil)
}

// The caller splits the reference again to write back: the same key,
// made the same way from the same reference.
func appendToNote(ns *kv.Namespace, ref, line string) error {
	old, err := lookupNote(ns, ref)
	if err != nil {
		return err
	}
	owner, id, _ := splitRef(ref)
	return ns.PutString(noteKey(owner, id), old+line, nil) // want `read-modify-write on one KV key`
}

// Quiet: the halves swapped name another note.
func copyToMirror(ns *kv.Namespace, ref, line string) error {
	old, err := lookupNote(ns, ref)
	if err != nil {
		return err
	}
	owner, id, _ := splitRef(ref)
	return ns.PutString(noteKey(id, owner), old+line, nil)
}
