// Package kvlimits holds kvlimits' cases on github.com/syumai/workers.
package kvlimits

import (
	"bytes"
	"path"
	"strings"

	"github.com/syumai/workers/cloudflare/kv"

	"kvlint.test/syumai033/kvstore"
)

const pagePrefix = "page:"

// A key that KV refuses outright.
func clear(ns *kv.Namespace) error {
	return ns.Delete("") // want `KV refuses the key ""`
}

// The directory of a key with no slash is ".", a key KV refuses.
const manifestName = "manifest.txt"

func stampManifest(ns *kv.Namespace, stamp string) error {
	return ns.PutString(path.Dir(manifestName), stamp, nil) // want `KV refuses the key "."`
}

// Quiet: the directory of a key with a slash is a key.
func stampReports(ns *kv.Namespace, stamp string) error {
	return ns.PutString(path.Dir("reports/manifest.txt"), strings.Repeat(stamp, 2), nil)
}

// A constant key longer than 512 bytes, reported where it is declared.
func marker(ns *kv.Namespace) error {
	const key = pagePrefix + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" // want `this key is \d+ bytes long`
	return ns.PutString(key, "1", nil)
}

// A key built once from a long constant, then read and written: one
// mistake, reported where the key is built.
const reportQuery = "qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq"

func cachedReport(ns *kv.Namespace, id string, fill func() string) (string, error) {
	key := "report:" + reportQuery + ":" + id // want `the constant part of this key is already 608 bytes`
	if v, err := ns.GetString(key, nil); err == nil && v != "<null>" {
		return v, nil
	}
	v := fill()
	return v, ns.PutString(key, v, nil)
}

// Quiet: a key of ordinary length.
func page(ns *kv.Namespace, slug string) (string, error) {
	return ns.GetString(pagePrefix+slug, nil)
}

// A list limit above a page.
func names(ns *kv.Namespace) ([]string, error) {
	res, err := ns.List(&kv.ListOptions{Prefix: pagePrefix, Limit: 5000}) // want `a Limit of 5000 is refused`
	if err != nil {
		return nil, err
	}
	var out []string
	for _, k := range res.Keys {
		out = append(out, k.Name)
	}
	if !res.ListComplete {
		out = append(out, "...")
	}
	return out, nil
}

// Quiet: a small limit is fine inside a Worker.
func recent(ns *kv.Namespace) (*kv.ListResult, error) {
	return ns.List(&kv.ListOptions{Prefix: pagePrefix, Limit: 5})
}

// A value made larger than 25 MiB.
func pad(ns *kv.Namespace) error {
	return ns.PutString("padding", strings.Repeat("0", 30<<20), nil) // want `this value is 31457280 bytes`
}

// A bitmap made here and sent lines below: reported where it is sent.
func occupancy(ns *kv.Namespace, slots []int) error {
	bitmap := make([]byte, (1<<28)/8)
	for _, s := range slots {
		bitmap[s/8] |= 1 << (s % 8)
	}
	return ns.PutString("occupancy", string(bitmap), nil) // want `this value is 33554432 bytes`
}

const partSize = 32 << 20

// Parts cut at a constant size larger than KV takes.
func storeParts(ns *kv.Namespace, key string, buf []byte) error {
	for i := 0; len(buf) >= partSize; i++ {
		if err := ns.PutString(key+"/"+string(rune('a'+i)), string(buf[:partSize]), nil); err != nil { // want `this value is 33554432 bytes`
			return err
		}
		buf = buf[partSize:]
	}
	return nil
}

// Quiet: parts of 20 MiB.
func storeSmallParts(ns *kv.Namespace, key string, buf []byte) error {
	for i := 0; len(buf) >= 20<<20; i++ {
		if err := ns.PutString(key+"/"+string(rune('a'+i)), string(buf[:20<<20]), nil); err != nil {
			return err
		}
		buf = buf[20<<20:]
	}
	return nil
}

// pager keeps its page size for later lists.
type pager struct {
	ns   *kv.Namespace
	size int
}

type option func(*pager)

func withPageSize(n int) option { return func(p *pager) { p.size = n } }

func newPager(ns *kv.Namespace, opts ...option) *pager {
	p := &pager{ns: ns, size: 100}
	for _, o := range opts {
		o(p)
	}
	return p
}

func (p *pager) page(cursor string) (*kv.ListResult, error) {
	return p.ns.List(&kv.ListOptions{Prefix: pagePrefix, Cursor: cursor, Limit: p.size})
}

// A page size over 1,000, given to an option.
func bigPages(ns *kv.Namespace) *pager {
	return newPager(ns, withPageSize(1500)) // want `a Limit of 1500 is refused`
}

// The same key, all constant: the compiler folds it, and it is still
// reported where the variable is made, once.
func cachedSummary(ns *kv.Namespace, fill func() string) (string, error) {
	key := "summary:" + reportQuery // want `this key is \d+ bytes long`
	if v, err := ns.GetString(key, nil); err == nil && v != "<null>" {
		return v, nil
	}
	v := fill()
	return v, ns.PutString(key, v, nil)
}

// The same, declared as a constant of the function: reported there, once.
func cachedSummaryConst(ns *kv.Namespace, fill func() string) (string, error) {
	const key = "summary:v2:" + reportQuery // want `this key is \d+ bytes long`
	if v, err := ns.GetString(key, nil); err == nil && v != "<null>" {
		return v, nil
	}
	v := fill()
	return v, ns.PutString(key, v, nil)
}

// Quiet: a key whose prefix inside a wrapper of another package is too
// long is reported there, whatever the caller passes.
func saveReport(s *kvstore.Store, id string) error {
	return s.PutReport(id, "{}")
}

// The same, passed as it is and streamed.
func sheet(ns *kv.Namespace, album string, thumbs [][]byte) error {
	buf := make([]byte, 256*128<<10)
	for i, t := range thumbs[:min(len(thumbs), 256)] {
		copy(buf[i*128<<10:], t)
	}
	return ns.PutReader("sheet:"+album, bytes.NewReader(buf), nil) // want `this value is 33554432 bytes`
}

func padded(ns *kv.Namespace, version string, blob []byte) error {
	image := make([]byte, 32<<20)
	copy(image, blob)
	return ns.PutString("image:"+version, string(image[:len(blob)]), nil)
}

// A value made into a variable and written lines below: reported at the
// write, with where it is made.
func soak(ns *kv.Namespace) error {
	payload := strings.Repeat("x", 30<<20)
	return ns.PutString("soak:blob", payload, nil) // want `this value is 31457280 bytes`
}
