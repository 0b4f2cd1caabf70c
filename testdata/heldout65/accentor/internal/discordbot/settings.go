package discordbot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/accentor/accentor/internal/kvstore"
)

// GuildSettings is the per-guild configuration document, settings:<guild>.
type GuildSettings struct {
	GuildID     string                     `json:"guild_id"`
	Name        string                     `json:"name"`
	JoinedAt    time.Time                  `json:"joined_at"`
	Commands    map[string]CommandSettings `json:"commands"`
	VerifyRole  string                     `json:"verify_role,omitempty"`
	LogChannel  string                     `json:"log_channel,omitempty"`
	SlowmodeSec int                        `json:"slowmode_sec,omitempty"`
}

// CommandSettings tunes one slash command in one guild.
type CommandSettings struct {
	Disabled    bool `json:"disabled,omitempty"`
	CooldownSec int  `json:"cooldown_sec,omitempty"`
}

func defaultSettings(g *discordgo.Guild) GuildSettings {
	return GuildSettings{
		GuildID:  g.ID,
		Name:     g.Name,
		JoinedAt: time.Now().UTC(),
		Commands: map[string]CommandSettings{
			"daily":  {CooldownSec: 60},
			"points": {CooldownSec: 120},
		},
	}
}

// SettingsStore reads and writes GuildSettings.
type SettingsStore struct {
	ns *kvstore.Namespace
}

func settingsKey(guildID string) string { return "settings:" + guildID }

// Load returns the guild's settings, or ok=false when it has none yet.
func (st *SettingsStore) Load(ctx context.Context, guildID string) (GuildSettings, bool, error) {
	var gs GuildSettings
	err := st.ns.GetJSON(ctx, settingsKey(guildID), &gs)
	if errors.Is(err, kvstore.ErrNotFound) {
		return GuildSettings{}, false, nil
	}
	return gs, err == nil, err
}

// ensure writes default settings on the first GuildCreate for a guild, and
// refreshes the stored guild name on later ones.
func (st *SettingsStore) ensure(ctx context.Context, g *discordgo.Guild) error {
	var gs GuildSettings
	if err := st.ns.GetJSON(ctx, settingsKey(g.ID), &gs); err != nil { // EXPECT kvnull
		gs = defaultSettings(g)
	}
	if gs.Name == g.Name && !gs.JoinedAt.IsZero() {
		return nil
	}
	gs.Name = g.Name
	return st.ns.PutJSON(ctx, settingsKey(g.ID), gs, 0) // EXPECT kvrace
}

// cmdConfig changes one command's cooldown or enables/disables it.
func (b *Bot) cmdConfig(ctx context.Context, s *discordgo.Session, i *discordgo.InteractionCreate, o options) error {
	if i.Member == nil || i.Member.Permissions&discordgo.PermissionManageServer == 0 {
		return userError("You need Manage Server to change settings.")
	}
	command := o.str("command")
	if _, ok := b.commands[command]; !ok {
		return userError(fmt.Sprintf("There is no /%s command.", command))
	}
	gs, ok, err := b.settings.Load(ctx, i.GuildID)
	if err != nil {
		return err
	}
	if !ok {
		g, err := s.State.Guild(i.GuildID)
		if err != nil {
			return err
		}
		gs = defaultSettings(g)
	}
	cs := gs.Commands[command]
	if v, ok := o["cooldown"]; ok {
		cs.CooldownSec = int(v.IntValue())
	}
	if v, ok := o["enabled"]; ok {
		cs.Disabled = !v.BoolValue()
	}
	if gs.Commands == nil {
		gs.Commands = map[string]CommandSettings{}
	}
	gs.Commands[command] = cs
	raw, err := json.Marshal(gs)
	if err != nil {
		return err
	}
	if err := b.state.Put(ctx, settingsKey(i.GuildID), raw, 0); err != nil { // EXPECT kvrace
		return err
	}
	return reply(s, i, fmt.Sprintf("/%s: cooldown %ds, enabled=%t", command, cs.CooldownSec, !cs.Disabled), true)
}
