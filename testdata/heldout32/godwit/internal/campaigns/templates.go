package campaigns

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"slices"
	"time"

	"godwit/internal/keys"
	"godwit/internal/kvstore"
)

// Template is a reusable campaign layout.
type Template struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	HTML      string    `json:"html"`
	Text      string    `json:"text"`
	UpdatedAt time.Time `json:"updated_at"`
}

// defaultFooter is appended to every template that has none; CAN-SPAM needs
// the postal address and the unsubscribe link in every mail.
const defaultFooter = `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="margin-top:32px;border-top:1px solid #e5e7eb">
  <tr>
    <td align="center" style="padding:24px 16px 8px 16px;font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;font-size:12px;line-height:18px;color:#6b7280">
      You are receiving this email because you subscribed to {{ .ListName }} from {{ .SenderName }}.
      If you no longer wish to receive these emails you can
      <a href="{{ .UnsubscribeURL }}" style="color:#4b5563;text-decoration:underline">unsubscribe instantly</a>
      or <a href="{{ .PreferencesURL }}" style="color:#4b5563;text-decoration:underline">update your preferences</a>.
    </td>
  </tr>
  <tr>
    <td align="center" style="padding:0 16px 24px 16px;font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;font-size:12px;line-height:18px;color:#9ca3af">
      {{ .SenderName }} &middot; {{ .PostalAddress.Street }} &middot; {{ .PostalAddress.City }} {{ .PostalAddress.Zip }} &middot; {{ .PostalAddress.Country }}<br>
      Sent with godwit &middot; <a href="{{ .ViewInBrowserURL }}" style="color:#9ca3af">View in browser</a>
    </td>
  </tr>
</table>`

// SaveTemplate stores a template. Name and footer go into metadata so the
// template picker renders from a listing alone.
func (s *Service) SaveTemplate(ctx context.Context, t Template) error {
	t.UpdatedAt = time.Now().UTC()
	raw, err := json.Marshal(t)
	if err != nil {
		return err
	}
	return s.store.Put(ctx, keys.Build(keys.Template, t.ID), raw, kvstore.PutOptions{
		Metadata: map[string]any{"name": t.Name, "footer": defaultFooter}, // EXPECT kvlimits
	})
}

// TemplateNames returns one page of template names, read from metadata, and
// the cursor of the next page.
func (s *Service) TemplateNames(ctx context.Context, cursor string) (map[string]string, string, error) {
	page, err := s.store.List(ctx, kvstore.ListOptions{Prefix: keys.Prefix(keys.Template), Cursor: cursor, Limit: 1000})
	if err != nil {
		return nil, "", err
	}
	names := make(map[string]string, len(page.Keys))
	for _, k := range page.Keys {
		n, _ := k.Metadata["name"].(string)
		names[k.Name] = n
	}
	if page.Complete {
		return names, "", nil
	}
	return names, page.Cursor, nil
}

const sharedDKIM = "v=DKIM1; k=rsa; p=" +
	"MIICIjANBgkqhkiG9w0BAQEFAAOCAg8AMIICCgKCAgEAUvImZaYMEtKJGF2VDuiBNgkWb2sRPReNbA/TkB/yOaGglfIPk5VlDPk4C47bIkprJIoekk6P0K4uGpSSozBfGIy2EJAPnjR/rohtxlB3le" +
	"x0XEw/yy6yxz4Uk0yGfuBXunJJm/oSHoNrKsFXJu59awr2qxPDjpLK4NFQV7FZmH+UzHQR1xfxRXmyqhAPu7NPpZP+rtJySLdi46tYBfB2WiucHX4PN8RJIb0/ZWTq338UKnJmjEfiI9Fu3YxHtGr8" +
	"W67iYfU7JhUtJjuoOwN81JYuQ0gBJWuIXpyQUfMgsNuD856nrb0NdObex/PfrsyPZGVmZBp7omYPMBH8NXApHFeZDRoAkSaJGfJdnQYS3zWdYCaiQPRYml15Hx3ZfP76d3p7TxUkGr9XvUN61LEphA" +
	"U08/OHXCWwi+oGwodM+qTdF7LYQoRd6CpbxTmIiseAVKI5nM/J/MLaMc490Wa9zTozhH5buwf9B8pHeEIxsZr0WHLO77n8WfT5XRQ4Gjp4MlY0e5/85pzXAHrop1jMpBXVqR7oY8i2wDN64y1vyqJV" +
	"Fs3y+Lhldma+8hW5KCv+IAcml+d3zqclnNOY+nmo71knjIwhBQPM+LmmGoa/7yNv/N8x0982B0A2SoA9w5ZTQotr1SEP6L1a5XWpldDnhGvT6uCAIYgmhoIE33DGLpsBxswmLCIDAQAB"

// SharedDomainVerified reports whether the DKIM record of the shared sending
// domain is published as expected. A positive check is cached for an hour.
func (s *Service) SharedDomainVerified(ctx context.Context) (bool, error) {
	key := "dkim-verified/" + sharedDKIM // EXPECT kvlimits
	if _, err := s.store.Get(ctx, key); err == nil {
		return true, nil
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return false, err
	}
	txts, err := net.DefaultResolver.LookupTXT(ctx, "godwit._domainkey.mail.godwit.email")
	if err != nil {
		return false, err
	}
	if !slices.Contains(txts, sharedDKIM) {
		return false, nil
	}
	return true, s.store.Put(ctx, key, []byte(time.Now().UTC().Format(time.RFC3339)), kvstore.PutOptions{TTL: time.Hour})
}
