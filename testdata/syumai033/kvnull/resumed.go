package kvnull

import (
	"strings"

	"github.com/syumai/workers/cloudflare/kv"
)

// A walk that resumes where the last run stopped: before the first run
// saves a cursor, GetString hands back "<null>" and the list is asked to
// resume from it.
func resumeRollup(ns *kv.Namespace) error {
	cursor, err := ns.GetString("rollup:cursor", nil) // want `this value is the cursor of the list at line 17 with no check for it`
	if err != nil {
		return err
	}
	res, err := ns.List(&kv.ListOptions{Prefix: "opens:", Limit: 1000, Cursor: cursor})
	if err != nil {
		return err
	}
	return ns.PutString("rollup:cursor", res.Cursor, nil)
}

// The same cursor kept in an options value set field by field.
func resumeByField(ns *kv.Namespace, prefix string) (int, error) {
	saved, err := ns.GetString(prefix+"cursor", nil) // want `this value is the cursor of the list at line 32`
	if err != nil {
		return 0, err
	}
	opts := &kv.ListOptions{Prefix: prefix}
	opts.Cursor = strings.TrimSpace(saved)
	res, err := ns.List(opts)
	if err != nil {
		return 0, err
	}
	return len(res.Keys), ns.PutString(prefix+"cursor", res.Cursor, nil)
}

// Quiet: the miss is looked for, and the walk starts from the beginning.
func resumeChecked(ns *kv.Namespace) error {
	cursor, err := ns.GetString("rollup:cursor", nil)
	if err != nil {
		return err
	}
	if cursor == "<null>" {
		cursor = ""
	}
	res, err := ns.List(&kv.ListOptions{Prefix: "opens:", Cursor: cursor})
	if err != nil {
		return err
	}
	return ns.PutString("rollup:cursor", res.Cursor, nil)
}

// Quiet: the cursor comes from the caller, and what GetString read only
// chooses the prefix, which is checked.
func pageOfTenant(ns *kv.Namespace, tenant, cursor string) (*kv.ListResult, error) {
	prefix, err := ns.GetString("tenant:"+tenant+":prefix", nil)
	if err != nil {
		return nil, err
	}
	if prefix == "<null>" {
		prefix = tenant + ":"
	}
	return ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor})
}
