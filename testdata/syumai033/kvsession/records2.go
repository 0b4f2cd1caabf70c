package kvsession

import (
	"encoding/json"
	"fmt"

	"github.com/syumai/workers/cloudflare/kv"
)

// What a put writes is named by the record it encodes, not by records
// whose strings it copies.

type doorCode struct {
	Site, Member, Code string
}

type doors struct{ ns *kv.Namespace }

func (d *doors) Open(site, code string) (doorCode, error) { // want Open:"kvsession judged inside"
	raw, err := d.ns.GetString("door:"+site+":"+code, nil)
	if err != nil {
		return doorCode{}, err
	}
	var dc doorCode
	if err := json.Unmarshal([]byte(raw), &dc); err != nil {
		return doorCode{}, err
	}
	d.logOpening(dc)
	return dc, nil
}

// Quiet here: a site's log, read and appended to (kvrace's race), with a
// line made of a code's fields.
func (d *doors) logOpening(dc doorCode) {
	key := "doorlog:" + dc.Site
	prev, err := d.ns.GetString(key, nil)
	if err != nil {
		return
	}
	_ = d.ns.PutString(key, prev+fmt.Sprintf("%s %s\n", dc.Member, dc.Code), nil)
}

type booking struct {
	ID   string
	Door doorCode
}

type dayEntry struct {
	Booking string
}

// Quiet here: the day's calendar holds entries with a booking's ID; the
// booking's door code is not written.
func (d *doors) addToDay(day string, b booking) error {
	var entries []dayEntry
	if raw, err := d.ns.GetString("day:"+day, nil); err == nil {
		_ = json.Unmarshal([]byte(raw), &entries)
	}
	entries = append(entries, dayEntry{Booking: b.ID})
	out, _ := json.Marshal(entries)
	return d.ns.PutString("day:"+day, string(out), nil)
}

func (d *doors) book(day, site string) error { // want book:"kvsession judged inside"
	b := booking{ID: "b1"}
	b.Door = doorCode{Site: site, Code: "1234"}
	return d.addToDay(day, b)
}
