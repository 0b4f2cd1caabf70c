package kvcounter

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/syumai/workers/cloudflare/kv"
)

type jobEvent struct {
	JobID string
	Error string
	Bytes int
}

type jobStatus struct {
	JobID    string
	Attempts int
	Error    string
	Bytes    int
}

// A job's status record takes the event's error as its attempts are
// counted: a record updated in place, kvrace's, not a count.
func recordFailure(ns *kv.Namespace, ev jobEvent) error {
	key := "job/status/" + ev.JobID
	raw, err := ns.GetString(key, nil)
	if err != nil {
		return err
	}
	var st jobStatus
	if raw != "<null>" {
		_ = json.Unmarshal([]byte(raw), &st)
	}
	st.JobID = ev.JobID
	st.Attempts++
	st.Error = ev.Error
	body, _ := json.Marshal(st)
	return ns.PutString(key, string(body), nil)
}

// A job's usage, added up from the event; the record notes only the job
// its key is made of.
func recordBytes(ns *kv.Namespace, ev jobEvent) error {
	key := "job/usage/" + ev.JobID
	raw, err := ns.GetString(key, nil)
	if err != nil {
		return err
	}
	var st jobStatus
	if raw != "<null>" {
		_ = json.Unmarshal([]byte(raw), &st)
	}
	st.JobID = ev.JobID
	st.Bytes += ev.Bytes
	body, _ := json.Marshal(st)
	return ns.PutString(key, string(body), nil) // want `counter kept in KV: this put writes back a count read from the same key and incremented`
}

// The names of the accounts a flush counted, under a usage key: a list
// of names, not the tallies it was taken from.
func flushActive(ns *kv.Namespace, totals map[string]int, batch map[string]int, minute string) error {
	for acct, n := range batch {
		totals[acct] += n
	}
	var active []string
	for acct := range totals {
		active = append(active, acct)
	}
	return ns.PutString("usage/active/"+minute, strings.Join(active, ","), nil)
}

// usageFlusher keeps each account's bytes in memory between flushes.
type usageFlusher struct{ totals map[string]int }

func (f *usageFlusher) add(acct string, n int) { f.totals[acct] += n }

// Quiet: the names of the accounts it counted, not their counts.
func (f *usageFlusher) flushActive(ns *kv.Namespace, minute string) error {
	var active []string
	for acct := range f.totals {
		active = append(active, acct)
	}
	return ns.PutString("usage/active/"+minute, strings.Join(active, ","), nil)
}

// The counts themselves, kept in memory and published.
func (f *usageFlusher) flushTotals(ns *kv.Namespace, minute string) error {
	var parts []string
	for acct, n := range f.totals {
		parts = append(parts, acct+"="+strconv.Itoa(n))
	}
	return ns.PutString("usage/totals/"+minute, strings.Join(parts, ","), nil) // want `counter kept in KV`
}
