package guests

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"text/template"
	"time"

	"example.com/grebe/internal/domain"
	"example.com/grebe/internal/store"
)

// inviteTemplate is the e-mail sent to a guest. Rendered bodies are cached
// so that "send again" from the app does not render twice.
const inviteTemplate = `Hello {{.GuestName}},

{{.HostName}} has invited you to work from {{.SiteName}} on {{.Day}}.

When you arrive, tell the front desk your name or type your door code on the
keypad next to the main entrance. The code works from 08:00 until 20:00 on the
day of your visit only. Wi-Fi details are printed on the card at your desk.

Please bring a photo ID. Guests are welcome in the shared areas and in any
meeting room your host has booked; dedicated desks and the phone booths are for
members only. Coffee, tea and fruit are on the house.

If your plans change, reply to this e-mail and we will let {{.HostName}} know.

See you soon,
The Grebe community team
`

var inviteTmpl = template.Must(template.New("invite").Parse(inviteTemplate))

type inviteMail struct {
	GuestName, HostName, SiteName, Day string
}

// render returns the invitation body, from cache when possible.
func (s scope) render(ctx context.Context, inv domain.GuestInvite, hostName, siteName string) ([]byte, error) {
	sum := sha256.Sum256([]byte(inviteTemplate))
	key := "tpl:" + hex.EncodeToString(sum[:8]) + ":" + string(inv.Site) + ":" + inv.Day + ":" + string(s.user) + ":" + inv.GuestName
	if b, err := s.Get(ctx, key); err == nil {
		return b, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	var buf bytes.Buffer
	err := inviteTmpl.Execute(&buf, inviteMail{GuestName: inv.GuestName, HostName: hostName, SiteName: siteName, Day: inv.Day})
	if err != nil {
		return nil, err
	}
	if err := s.Put(ctx, key, buf.Bytes(), store.PutOptions{TTL: 6 * time.Hour}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// preview renders the template with placeholder values for the admin
// console and keeps the result for a day.
func (b *Base) preview(ctx context.Context) ([]byte, error) {
	var buf bytes.Buffer
	if err := inviteTmpl.Execute(&buf, inviteMail{"Ada", "Grace", "Amsterdam Canal", "2025-01-01"}); err != nil {
		return nil, err
	}
	return buf.Bytes(), b.Put(ctx, "tpl-preview:"+inviteTemplate, buf.Bytes(), store.PutOptions{TTL: 24 * time.Hour}) // EXPECT kvlimits
}
