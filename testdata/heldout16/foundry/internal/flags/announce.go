package flags

import (
	"context"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// maintenanceNotice is shown in the launcher during scheduled maintenance.
const maintenanceNotice = `Scheduled maintenance: all regions will be unavailable while we roll out ` +
	`the new season. During this window matchmaking, ranked play, the in-game store and guild ` +
	`management are offline. Matches in progress when maintenance begins will be ended and scored ` +
	`as no contest; ranked points will not be lost for unfinished matches. Battle pass progress, ` +
	`purchases and cosmetic unlocks made before the window are saved. Purchases attempted during ` +
	`the window will not be charged. Daily challenges will be extended by the length of the ` +
	`maintenance and all players who log in during the first week of the new season receive a ` +
	`compensation bundle containing two premium crates and a season-exclusive banner. If you ` +
	`experience issues after the servers come back, please restart the launcher to pick up the new ` +
	`client build before contacting support. Console players may need to accept a system update ` +
	`prompt first. Custom lobbies created before maintenance will not be restored and private ` +
	`tournament brackets will be paused and resumed from the last completed round. Tournament ` +
	`organisers will receive an email with details. Thank you for your patience while we make the ` +
	`game better. Follow our status page and social channels for live updates on progress.`

// Announcement is a launcher banner.
type Announcement struct {
	ID, Title    string
	Starts, Ends time.Time
}

// PublishMaintenance stores the maintenance banner. The text rides in
// metadata so the launcher can list banners without fetching each value.
func (s *Store) PublishMaintenance(ctx context.Context, a Announcement) error {
	_, err := s.cf.KV.Namespaces.Values.Update(ctx, s.ns, "banner/"+a.ID, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.accountID),
		Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(a.Title)),
		Expiration: cloudflare.F(float64(a.Ends.Unix())),
		Metadata: cloudflare.F[any](map[string]any{ // EXPECT kvlimits
			"title": a.Title, "starts": a.Starts.Unix(), "body": maintenanceNotice,
		}),
	})
	return err
}
