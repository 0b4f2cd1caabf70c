package kvhotkey

import (
	"bufio"
	"io"
	"strconv"

	"github.com/syumai/workers/cloudflare/kv"
)

// Quiet: one PIN per line of a cohort file. sc.Text() is a new line on each
// trip of the loop on sc.Scan(), not what the scanner holds throughout.
func issueLines(ns *kv.Namespace, cohort io.Reader) error {
	sc := bufio.NewScanner(cohort)
	for sc.Scan() {
		if err := ns.PutString("pin:"+sc.Text(), "issued", nil); err != nil {
			return err
		}
	}
	return sc.Err()
}

// The import's cursor, written on every line of the same file.
func importLines(ns *kv.Namespace, file io.Reader) error { // want importLines:"kvhotkey"
	sc := bufio.NewScanner(file)
	line := 0
	for sc.Scan() {
		line++
		if err := ns.PutString("import:cursor", strconv.Itoa(line), nil); err != nil { // want `this loop writes the same KV key on every iteration`
			return err
		}
	}
	return sc.Err()
}
