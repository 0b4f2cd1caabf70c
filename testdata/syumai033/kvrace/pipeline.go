package kvrace

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// A booking confirmed by a pipeline of stages that change it in a
// context of their own: the record read and written back is the
// booking, not the confirmation that holds it.
type booking struct {
	ID      string
	Status  string
	Table   string
	Version int
}

type confirmation struct {
	now     time.Time
	booking booking
}

type confirmStage func(*confirmation) error

func markConfirmed(c *confirmation) error {
	if c.booking.Status != "held" {
		return errors.New("not held")
	}
	c.booking.Status = "confirmed"
	c.booking.Version++
	return nil
}

func assignTable(c *confirmation) error {
	c.booking.Table = "t1"
	return nil
}

func confirmBooking(ns *kv.Namespace, id string) error {
	c := &confirmation{now: time.Now()}
	raw, err := ns.GetString("booking:"+id, nil)
	if err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(raw), &c.booking); err != nil {
		return err
	}
	for _, stage := range []confirmStage{markConfirmed, assignTable} {
		if err := stage(c); err != nil {
			return err
		}
	}
	b, err := json.Marshal(&c.booking)
	if err != nil {
		return err
	}
	return ns.PutString("booking:"+id, string(b), nil) // want `read-modify-write on one KV key: this put writes back a value derived from the get on line 44`
}
