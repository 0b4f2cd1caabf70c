package badges

import (
	"context"
	"fmt"
	"html"
	"strings"

	"github.com/confhub/puffin/internal/domain"
	"github.com/confhub/puffin/internal/keys"
	"github.com/confhub/puffin/internal/kvx"
)

// badgeSVG is the A6 badge layout. The print shop's template editor exports
// it; the placeholders are replaced per badge.
const badgeSVG = `<svg xmlns="http://www.w3.org/2000/svg" width="105mm" height="148mm" viewBox="0 0 105 148">` +
	`<rect width="105" height="148" fill="#ffffff"/>` +
	`<rect width="105" height="22" fill="#12355b"/>` +
	`<text x="8" y="14" font-family="Inter" font-size="7" fill="#ffffff">{{EVENT}}</text>` +
	`<text x="8" y="60" font-family="Inter" font-weight="700" font-size="11" fill="#111111">{{NAME}}</text>` +
	`<text x="8" y="72" font-family="Inter" font-size="6" fill="#444444">{{COMPANY}}</text>` +
	`<rect x="0" y="128" width="105" height="20" fill="{{TICKET_COLOUR}}"/>` +
	`<text x="8" y="141" font-family="Inter" font-weight="700" font-size="7" fill="#ffffff">{{TICKET}}</text>` +
	`<image x="62" y="86" width="35" height="35" href="data:image/png;base64,{{QR}}"/>` +
	`</svg>`

var ticketColours = map[string]string{
	"speaker": "#c0392b", "sponsor": "#8e44ad", "staff": "#27ae60", "walkin": "#7f8c8d",
}

// Render returns the SVG of a badge.
func (b *Badges) Render(badge domain.Badge, qrPNG string) string {
	colour, ok := ticketColours[badge.Ticket]
	if !ok {
		colour = "#12355b"
	}
	r := strings.NewReplacer(
		"{{EVENT}}", html.EscapeString(badge.Event),
		"{{NAME}}", html.EscapeString(badge.Name),
		"{{COMPANY}}", html.EscapeString(badge.Company),
		"{{TICKET}}", html.EscapeString(strings.ToUpper(badge.Ticket)),
		"{{TICKET_COLOUR}}", colour,
		"{{QR}}", qrPNG,
	)
	return r.Replace(badgeSVG)
}

// SamplePreview returns the sample render of the current layout that the
// template editor shows, caching it per layout.
func (b *Badges) SamplePreview(ctx context.Context) (string, error) {
	cacheKey := keys.Root.Child("render", "sample", badgeSVG) // EXPECT kvlimits
	if raw, err := b.kv.Get(ctx, cacheKey.String()); err == nil {
		return string(raw), nil
	} else if !kvx.IsNotFound(err) {
		return "", err
	}
	sample := domain.Badge{Event: "sample", ID: "S0001", Name: "Ada Lovelace", Company: "Analytical Engines Ltd", Ticket: "speaker"}
	svg := b.Render(sample, "")
	if err := b.kv.Put(ctx, cacheKey.String(), []byte(svg), 0); err != nil {
		return svg, fmt.Errorf("cache sample: %w", err)
	}
	return svg, nil
}
