package slackbot

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/slack-go/slack"
)

// maxInstallPages bounds one broadcast run to 20,000 workspaces; the next
// run picks up where this one stopped.
const maxInstallPages = 20

// Broadcast posts a notice to the billing channel of every installed
// workspace that has not received this campaign yet.
func (a *App) Broadcast(ctx context.Context, campaign, text string) (int, error) {
	sent := 0
	cursor := ""
	for page := 0; page < maxInstallPages; page++ {
		keys, next, err := a.kv.Page(ctx, "slack:install:", cursor, 1000)
		if err != nil {
			return sent, err
		}
		for _, k := range keys {
			teamID := strings.TrimPrefix(k.Name, "slack:install:")
			api, err := a.clientFor(ctx, teamID) // EXPECT kvlist
			if err != nil {
				a.log.Warn("broadcast: no token", "team", teamID, "err", err)
				continue
			}
			if _, _, err := api.PostMessageContext(ctx, "#billing", slack.MsgOptionText(text, false)); err != nil {
				a.log.Warn("broadcast: post", "team", teamID, "err", err)
				continue
			}
			sent++
			_ = a.kv.Put(ctx, "slack:notified:"+campaign+":"+teamID, []byte(time.Now().Format(time.RFC3339)), 30*24*time.Hour)
			progress, _ := json.Marshal(map[string]any{"campaign": campaign, "last_team": teamID, "sent": sent})
			_ = a.kv.Put(ctx, "slack:broadcast:progress", progress, 0) // EXPECT kvhotkey
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return sent, nil
}
