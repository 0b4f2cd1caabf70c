package campaign

import (
	"context"

	"example.com/beacon/internal/consts"
	"example.com/beacon/internal/kvstore"
)

// Template is a reusable notification body with {{placeholders}}.
type Template struct {
	Name  string `json:"name"`
	Title string `json:"title"`
	Body  string `json:"body"`
}

const welcomeTitle = "Welcome to {{app}}"

// welcomeBody is the onboarding message new tenants start with. The console
// shows it in the template picker and in rich-notification previews.
const welcomeBody = "Hi {{first_name}}, thanks for installing {{app}}! Here is a quick tour of what you can do from today. " +
	"Follow the topics you care about from the Settings tab and we will only send you news about those; you can change this at any time. " +
	"Quiet hours are on by default between 22:00 and 07:00 in your local time zone, so nothing will buzz at night unless it is a security alert. " +
	"If you use {{app}} on more than one device, sign in with the same account on each and your preferences will follow you; " +
	"devices you have not opened for four months are removed automatically. Rich notifications can include images and action buttons: " +
	"long-press a notification to see the actions, for example Snooze, Open in app or Mute this topic for a week. " +
	"We never use push notifications for third-party advertising; the privacy notice is linked from the About screen and from every marketing message. " +
	"To stop marketing notifications switch off Marketing under Settings > Notifications. Questions? Support answers within one business day at {{support_url}}."

// SeedTemplates writes the starter templates for a new tenant. Key metadata
// carries the title and preview so the picker needs no extra reads.
func (s *Store) SeedTemplates(ctx context.Context, tenant string) error {
	tpl := Template{Name: "welcome", Title: welcomeTitle, Body: welcomeBody}
	return kvstore.PutJSON(ctx, s.KV, consts.PrefixCampaign.Key("_tpl", tenant, tpl.Name), tpl, kvstore.PutOptions{
		Metadata: map[string]any{"title": welcomeTitle, "preview": welcomeBody}, // EXPECT kvlimits
	})
}
