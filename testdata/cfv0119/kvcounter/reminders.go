package kvcounter

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

type Reminder struct {
	Email string
	Stage int
	Sent  []time.Time
}

// Quiet here (kvrace's): the reminder's stage moves on and is written
// back. The number in the subject, stage+1, goes to the mailer with the
// request's context, which the mailer does not fill.
func sendReminder(ctx context.Context, api *cloudflare.API, rc *cloudflare.ResourceContainer, mail Mailer, ns, key string, now time.Time) error {
	raw, err := api.GetWorkersKV(ctx, rc, cloudflare.GetWorkersKVParams{NamespaceID: ns, Key: key})
	if err != nil {
		return err
	}
	var r Reminder
	if err := json.Unmarshal(raw, &r); err != nil {
		return err
	}
	subject := fmt.Sprintf("Reminder %d", r.Stage+1)
	if err := mail.Send(ctx, r.Email, subject, "Your invoice is due."); err != nil {
		return err
	}
	r.Stage++
	r.Sent = append(r.Sent, now)
	body, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = api.WriteWorkersKVEntry(ctx, rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: ns, Key: key, Value: body})
	return err
}
