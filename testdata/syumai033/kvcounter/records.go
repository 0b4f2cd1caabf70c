package kvcounter

import (
	"encoding/json"
	"strconv"
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

type usage struct {
	Tenant   string
	Messages int
}

// A usage record that notes the tenant its key is made of still counts.
func addUsage(ns *kv.Namespace, tenant string) error {
	raw, err := ns.GetString("usage:"+tenant, nil)
	if err != nil {
		return err
	}
	var u usage
	_ = json.Unmarshal([]byte(raw), &u)
	u.Tenant = tenant
	u.Messages++
	b, _ := json.Marshal(u)
	return ns.PutString("usage:"+tenant, string(b), nil) // want `counter kept in KV`
}

type roster struct {
	Bookings []string
	Seats    int
}

// A roster that gains this booking as its seats are added up: a record
// updated in place (kvrace's), not a count.
func book(ns *kv.Namespace, class, booking string, seats int) error {
	raw, _ := ns.GetString("roster:"+class, nil)
	var r roster
	_ = json.Unmarshal([]byte(raw), &r)
	r.Bookings = append(r.Bookings, booking)
	r.Seats += seats
	b, _ := json.Marshal(r)
	return ns.PutString("roster:"+class, string(b), nil)
}

type loyalty struct {
	Points int
	Tier   string
}

func tierFor(points int) string {
	if points > 1000 {
		return "gold"
	}
	return "basic"
}

// A tier computed from the count still leaves a count.
func credit(ns *kv.Namespace, id string, n int) error {
	raw, _ := ns.GetString("points:"+id, nil)
	var l loyalty
	_ = json.Unmarshal([]byte(raw), &l)
	l.Points += n
	l.Tier = tierFor(l.Points)
	b, _ := json.Marshal(l)
	return ns.PutString("points:"+id, string(b), nil) // want `counter kept in KV`
}

type run struct {
	Attempts int
	Best     int
}

// A best score kept with the attempts is a tally too.
func attempt(ns *kv.Namespace, player string, score int) error {
	raw, _ := ns.GetString("attempts:"+player, nil)
	var r run
	_ = json.Unmarshal([]byte(raw), &r)
	r.Attempts++
	r.Best = max(r.Best, score)
	b, _ := json.Marshal(r)
	return ns.PutString("attempts:"+player, string(b), nil) // want `this put writes back a count read from the same key`
}

type ticket struct {
	Visitor string
	Number  int
}

// The next number of a queue is written back as it is; that it also goes
// into the visitor's ticket makes it no record's field.
func join(ns *kv.Namespace, event, visitor string) (ticket, error) {
	raw, err := ns.GetString("seq:"+event, nil)
	if err != nil {
		return ticket{}, err
	}
	n, _ := strconv.Atoi(raw)
	n++
	if err := ns.PutString("seq:"+event, strconv.Itoa(n), nil); err != nil { // want `counter kept in KV`
		return ticket{}, err
	}
	t := ticket{Visitor: visitor, Number: n}
	b, _ := json.Marshal(t)
	return t, ns.PutString("ticket:"+event+":"+visitor, string(b), nil)
}

type loan struct {
	Renewals int
	Due      time.Time
}

// A loan renewed: its due date moves on from where it was as the
// renewals are counted, a record updated in place (kvrace's).
func renew(ns *kv.Namespace, id string) error {
	raw, err := ns.GetString("loan:"+id, nil)
	if err != nil {
		return err
	}
	var l loan
	if err := json.Unmarshal([]byte(raw), &l); err != nil {
		return err
	}
	l.Renewals++
	l.Due = l.Due.Add(14 * 24 * time.Hour)
	b, _ := json.Marshal(l)
	return ns.PutString("loan:"+id, string(b), nil)
}

// A pass extended by a year from its end, or from now if it has lapsed:
// its end moves on from where it was, whichever is later.
func extend(ns *kv.Namespace, id string) error {
	raw, err := ns.GetString("pass:"+id, nil)
	if err != nil {
		return err
	}
	var l loan
	if err := json.Unmarshal([]byte(raw), &l); err != nil {
		return err
	}
	base := l.Due
	if base.Before(time.Now()) {
		base = time.Now()
	}
	l.Due = base.AddDate(1, 0, 0)
	l.Renewals++
	b, _ := json.Marshal(l)
	return ns.PutString("pass:"+id, string(b), nil)
}

type rollout struct {
	Wave   int
	Paused bool
}

// A rollout moved to its next wave and resumed: a state change, not a
// count.
func advance(ns *kv.Namespace, id string) error {
	raw, err := ns.GetString("rollout:"+id, nil)
	if err != nil {
		return err
	}
	var ro rollout
	if err := json.Unmarshal([]byte(raw), &ro); err != nil {
		return err
	}
	ro.Wave++
	ro.Paused = false
	b, _ := json.Marshal(ro)
	return ns.PutString("rollout:"+id, string(b), nil)
}

type throttle struct {
	Hits    int
	Blocked bool
	Until   time.Time
}

// A throttle that blocks once its hits pass a limit still counts them.
func hit(ns *kv.Namespace, ip string) error {
	raw, _ := ns.GetString("throttle:"+ip, nil)
	var t throttle
	_ = json.Unmarshal([]byte(raw), &t)
	t.Hits++
	if t.Hits > 100 {
		t.Blocked = true
		t.Until = time.Now().Add(time.Hour)
	}
	b, _ := json.Marshal(t)
	return ns.PutString("throttle:"+ip, string(b), nil) // want `counter kept in KV`
}
