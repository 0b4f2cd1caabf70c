package kvlimits

import "github.com/syumai/workers/cloudflare/kv"

// reportKey is a typed key whose text the calls ask for.
type reportKey string

func (k reportKey) String() string { return string(k) }

// A typed key built once from a long constant, read and written by its
// text: reported where the key is built.
func cachedTypedReport(ns *kv.Namespace, id string, fill func() string) (string, error) {
	key := reportKey("report:" + reportQuery + ":" + id) // want `the constant part of this key is already 608 bytes`
	if v, err := ns.GetString(key.String(), nil); err == nil && v != "<null>" {
		return v, nil
	}
	v := fill()
	return v, ns.PutString(key.String(), v, nil)
}
