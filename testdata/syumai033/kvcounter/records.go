package kvcounter

import (
	"encoding/json"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

type step struct {
	Approver string
	Decision string
}

type workflow struct {
	Steps     []step
	Current   int
	UpdatedAt time.Time
}

// A record whose step index moves on as the approver's decision is
// written into it: a record updated in place (kvrace's), not a count.
func decide(ns *kv.Namespace, id, decision string) error {
	raw, err := ns.GetString("wf:"+id, nil)
	if err != nil {
		return err
	}
	var wf workflow
	if err := json.Unmarshal([]byte(raw), &wf); err != nil {
		return err
	}
	s := &wf.Steps[wf.Current]
	s.Decision = decision
	wf.Current++
	wf.UpdatedAt = time.Now()
	b, _ := json.Marshal(wf)
	return ns.PutString("wf:"+id, string(b), nil)
}

type pageStats struct {
	Views    int
	LastSeen time.Time
}

// A count with a stamp of the time is still a count.
func view(ns *kv.Namespace, page string) error {
	raw, err := ns.GetString("stats:"+page, nil)
	if err != nil {
		return err
	}
	var st pageStats
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		return err
	}
	st.Views++
	st.LastSeen = time.Now()
	b, _ := json.Marshal(st)
	return ns.PutString("stats:"+page, string(b), nil) // want `counter kept in KV`
}
