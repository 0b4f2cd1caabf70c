package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

// maintenanceBanner is shown above the console while a maintenance window
// is announced. The banner text is part of the key so that a new text gets
// a fresh "dismissed" state in agents' browsers.
const maintenanceBanner = "Scheduled maintenance: the console and the bot will be read-only on Sunday between 02:00 and 03:00 UTC " +
	"while we move ticket storage to the new region. Tickets opened from Telegram during the window are queued by the " +
	"edge Worker and appear in the console once the window ends. Agents do not need to sign in again afterwards. " +
	"If a customer reports that the bot is not answering, reply from the console after the window; the bot will deliver " +
	"your reply in the original chat. Questions go to #desk-ops. Thank you for your patience while we finish the move."

// AnnounceMaintenance publishes the banner until the window ends.
func (r *Runner) AnnounceMaintenance(ctx context.Context, ends time.Time) error {
	return r.ns.PutUntil(ctx, "banner:"+maintenanceBanner, []byte(ends.UTC().Format(time.RFC3339)), ends) // EXPECT kvlimits
}

// digestFooter is attached to each queued daily digest as metadata so the
// sender can render it without a second read.
const digestFooter = "You receive this digest because you are an agent on the Egret desk. " +
	"It lists the tickets that were opened, answered, or closed in your chats since the previous digest, " +
	"with the first line of each customer's last message and the agent who answered. Tickets that are snoozed " +
	"are left out until their snooze ends. To stop receiving digests, send /settings digest off to the bot in a " +
	"private chat, or switch the digest off on the Notifications page of the console. Digests are sent at 18:00 " +
	"in the time zone set on your profile; if you have not set one, UTC is used. Replies to the digest message " +
	"in Telegram are not read by anyone: please answer customers from the console or from the ticket's chat. " +
	"The digest never contains attachments; open the ticket in the console to see files that customers sent. " +
	"For help with the console, see the Agent Handbook, section 4, or ask in #desk-ops. Egret Desk, Service Desk team. " +
	"This message was generated automatically and is kept for seven days. Privacy notice: digests are stored " +
	"only until the end of the day they are queued for, then removed."

// QueueDigest schedules today's digest for an agent; the entry expires at
// the end of the day in the agent's zone.
func (r *Runner) QueueDigest(ctx context.Context, agentID string, loc *time.Location, body string) error {
	now := time.Now().In(loc)
	endOfDay := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, loc)
	api, rc, id := r.ns.API()
	_, err := api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: id,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:        fmt.Sprintf("digest:%s:%s", now.Format("2006-01-02"), agentID),
			Value:      body,
			Expiration: int(endOfDay.UnixMilli()),                                   // EXPECT kvttl
			Metadata:   map[string]string{"agent": agentID, "footer": digestFooter}, // EXPECT kvlimits
		}},
	})
	return err
}

// SeedBusinessHours precomputes, for the next two weeks at minute
// resolution, whether the desk is staffed. The edge Worker reads one key
// per incoming message instead of evaluating the rota.
func (r *Runner) SeedBusinessHours(ctx context.Context, staffed func(time.Time) bool) error {
	const slots = 14 * 24 * 60
	start := time.Now().UTC().Truncate(time.Minute)
	pairs := make([]*cloudflare.WorkersKVPair, 0, slots)
	for i := range slots {
		t := start.Add(time.Duration(i) * time.Minute)
		v := "closed"
		if staffed(t) {
			v = "open"
		}
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:        "hours:" + t.Format("200601021504"),
			Value:      v,
			Expiration: int(t.Add(24 * time.Hour).Unix()),
		})
	}
	api, rc, id := r.ns.API()
	_, err := api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: id, KVs: pairs}) // EXPECT kvlimits
	return err
}

// RecentRatings returns the first few rating keys, newest ticket ids last.
func (r *Runner) RecentRatings(ctx context.Context) ([]string, error) {
	api, rc, id := r.ns.API()
	resp, err := api.ListWorkersKVKeys(ctx, rc, cloudflare.ListWorkersKVsParams{ // DEBATABLE kvlist
		NamespaceID: id,
		Prefix:      "rating:",
		Limit:       5, // EXPECT kvlimits
	})
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(resp.Result))
	for _, k := range resp.Result {
		out = append(out, k.Name)
	}
	return out, nil
}
