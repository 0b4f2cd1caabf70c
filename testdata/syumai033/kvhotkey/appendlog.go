package kvhotkey

import (
	"bufio"
	"io"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// appendLine reads a log and writes it back with one more line.
func appendLine(ns *kv.Namespace, key, line string) error {
	old, err := ns.GetString(key, nil)
	if err != nil {
		return err
	}
	if old == "<null>" {
		old = ""
	}
	return ns.PutString(key, old+line+"\n", nil)
}

// A device's log of the day, one line appended per line of the upload:
// the same key on every line.
func ingestLog(ns *kv.Namespace, device string, body io.Reader) error { // want ingestLog:"kvhotkey"
	day := time.Now().UTC().Format("20060102")
	sc := bufio.NewScanner(body)
	for sc.Scan() {
		if err := appendLine(ns, "plays:"+device+":"+day, sc.Text()); err != nil { // want `this loop writes the same KV key on every iteration`
			return err
		}
	}
	return sc.Err()
}

// Quiet: a line per device, each under its own key.
func ingestLatest(ns *kv.Namespace, devices []string, line string) error {
	day := time.Now().UTC().Format("20060102")
	for _, d := range devices {
		if err := appendLine(ns, "plays:"+d+":"+day, line); err != nil {
			return err
		}
	}
	return nil
}
