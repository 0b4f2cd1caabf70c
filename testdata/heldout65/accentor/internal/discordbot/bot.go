// Package discordbot runs the community bot on the Discord gateway: slash
// commands, points, cooldowns, reaction roles and moderation. All durable
// bot state lives in the "bot-state" KV namespace so the edge Worker can
// render the same data on the public pages.
package discordbot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/accentor/accentor/internal/kvstore"
)

// commandFunc handles one slash command after options have been indexed.
type commandFunc func(ctx context.Context, s *discordgo.Session, i *discordgo.InteractionCreate, opts options) error

// componentFunc handles a button or select menu by custom-ID prefix.
type componentFunc func(ctx context.Context, s *discordgo.Session, i *discordgo.InteractionCreate, arg string) error

// Bot owns the gateway session and the handler tables.
type Bot struct {
	session  *discordgo.Session
	state    *kvstore.Namespace
	log      *slog.Logger
	appID    string
	ledger   *Ledger
	settings *SettingsStore
	mod      *Moderation
	roles    *ReactionRoles

	commands   map[string]commandFunc
	components map[string]componentFunc
}

// Config is what main passes in.
type Config struct {
	Token         string
	ApplicationID string
	State         *kvstore.Namespace
	Logger        *slog.Logger
}

// New builds the bot and its dispatch tables; it does not connect.
func New(cfg Config) (*Bot, error) {
	s, err := discordgo.New("Bot " + cfg.Token)
	if err != nil {
		return nil, err
	}
	s.Identify.Intents = discordgo.IntentsGuilds | discordgo.IntentsGuildMessages |
		discordgo.IntentsGuildMessageReactions | discordgo.IntentsGuildMembers

	b := &Bot{
		session:  s,
		state:    cfg.State,
		log:      cfg.Logger,
		appID:    cfg.ApplicationID,
		ledger:   &Ledger{ns: cfg.State},
		settings: &SettingsStore{ns: cfg.State},
		roles:    &ReactionRoles{ns: cfg.State},
	}
	b.mod = &Moderation{ns: cfg.State, settings: b.settings}

	b.commands = map[string]commandFunc{
		"points":       b.cmdPoints,
		"leaderboard":  b.cmdLeaderboard,
		"daily":        b.cmdDaily,
		"tag":          b.cmdTag,
		"verify":       b.cmdVerify,
		"config":       b.cmdConfig,
		"warn":         b.mod.cmdWarn,
		"slowmode":     b.mod.cmdSlowmode,
		"purge-warns":  b.mod.cmdPurgeWarnings,
		"reactionrole": b.roles.cmdReactionRole,
	}
	b.components = map[string]componentFunc{
		"lb":  b.leaderboardPage,
		"tag": b.tagPage,
	}

	s.AddHandler(b.onReady)
	s.AddHandler(b.onGuildCreate)
	s.AddHandler(b.onInteraction)
	s.AddHandler(b.onMessageCreate)
	s.AddHandler(b.roles.onReactionAdd)
	s.AddHandler(b.roles.onReactionRemove)
	return b, nil
}

// Open connects to the gateway and registers the command definitions.
func (b *Bot) Open() error {
	if err := b.session.Open(); err != nil {
		return err
	}
	_, err := b.session.ApplicationCommandBulkOverwrite(b.appID, "", commandDefinitions)
	return err
}

// Close disconnects from the gateway.
func (b *Bot) Close() error { return b.session.Close() }

func (b *Bot) onReady(s *discordgo.Session, r *discordgo.Ready) {
	b.log.Info("gateway ready", "user", r.User.Username, "guilds", len(r.Guilds))
}

func (b *Bot) onInteraction(s *discordgo.Session, i *discordgo.InteractionCreate) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	var err error
	switch i.Type {
	case discordgo.InteractionApplicationCommand:
		err = b.dispatchCommand(ctx, s, i)
	case discordgo.InteractionMessageComponent:
		err = b.dispatchComponent(ctx, s, i)
	default:
		return
	}
	if err != nil {
		var ue userError
		if errors.As(err, &ue) {
			_ = reply(s, i, string(ue), true)
			return
		}
		b.log.Error("interaction failed", "type", i.Type.String(), "err", err)
		_ = reply(s, i, "Something went wrong, try again in a moment.", true)
	}
}

func (b *Bot) dispatchCommand(ctx context.Context, s *discordgo.Session, i *discordgo.InteractionCreate) error {
	data := i.ApplicationCommandData()
	h, ok := b.commands[data.Name]
	if !ok {
		return fmt.Errorf("unknown command %q", data.Name)
	}
	user := invoker(i)
	if i.GuildID != "" {
		if err := b.mod.checkCooldown(ctx, i.GuildID, data.Name, user.ID); err != nil {
			return err
		}
	}
	if err := h(ctx, s, i, indexOptions(data.Options)); err != nil {
		return err
	}
	if i.GuildID != "" {
		return b.mod.startCooldown(ctx, i.GuildID, data.Name, user.ID)
	}
	return nil
}

func (b *Bot) dispatchComponent(ctx context.Context, s *discordgo.Session, i *discordgo.InteractionCreate) error {
	id := i.MessageComponentData().CustomID
	prefix, arg, _ := cut(id, ':')
	h, ok := b.components[prefix]
	if !ok {
		return fmt.Errorf("unknown component %q", id)
	}
	return h(ctx, s, i, arg)
}

// userError is shown to the invoking user verbatim, ephemerally.
type userError string

func (e userError) Error() string { return string(e) }

// options indexes a command's (possibly nested) options by name.
type options map[string]*discordgo.ApplicationCommandInteractionDataOption

func indexOptions(in []*discordgo.ApplicationCommandInteractionDataOption) options {
	out := make(options, len(in))
	for _, o := range in {
		out[o.Name] = o
		if o.Type == discordgo.ApplicationCommandOptionSubCommand {
			out["_sub"] = o
			for _, so := range o.Options {
				out[so.Name] = so
			}
		}
	}
	return out
}

func (o options) sub() string {
	if s, ok := o["_sub"]; ok {
		return s.Name
	}
	return ""
}

func (o options) str(name string) string {
	if v, ok := o[name]; ok {
		return v.StringValue()
	}
	return ""
}

func (o options) int(name string, def int64) int64 {
	if v, ok := o[name]; ok {
		return v.IntValue()
	}
	return def
}

func invoker(i *discordgo.InteractionCreate) *discordgo.User {
	if i.Member != nil {
		return i.Member.User
	}
	return i.User
}

func cut(s string, sep byte) (string, string, bool) {
	for k := 0; k < len(s); k++ {
		if s[k] == sep {
			return s[:k], s[k+1:], true
		}
	}
	return s, "", false
}

func reply(s *discordgo.Session, i *discordgo.InteractionCreate, content string, ephemeral bool) error {
	data := &discordgo.InteractionResponseData{Content: content}
	if ephemeral {
		data.Flags = discordgo.MessageFlagsEphemeral
	}
	return s.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: data,
	})
}

func replyEmbed(s *discordgo.Session, i *discordgo.InteractionCreate, e *discordgo.MessageEmbed, buttons ...discordgo.MessageComponent) error {
	data := &discordgo.InteractionResponseData{Embeds: []*discordgo.MessageEmbed{e}}
	if len(buttons) > 0 {
		data.Components = []discordgo.MessageComponent{discordgo.ActionsRow{Components: buttons}}
	}
	typ := discordgo.InteractionResponseChannelMessageWithSource
	if i.Type == discordgo.InteractionMessageComponent {
		typ = discordgo.InteractionResponseUpdateMessage
	}
	return s.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{Type: typ, Data: data})
}

var (
	minOne     = 1.0
	minFive    = 5.0
	maxWarnDay = 30.0
)

var commandDefinitions = []*discordgo.ApplicationCommand{
	{Name: "points", Description: "Community points", Options: []*discordgo.ApplicationCommandOption{
		{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "give", Description: "Give points", Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionUser, Name: "member", Description: "Who", Required: true},
			{Type: discordgo.ApplicationCommandOptionInteger, Name: "amount", Description: "How many", Required: true, MinValue: &minOne},
		}},
		{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "show", Description: "Show points", Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionUser, Name: "member", Description: "Who"},
		}},
	}},
	{Name: "leaderboard", Description: "Top members", Options: []*discordgo.ApplicationCommandOption{
		{Type: discordgo.ApplicationCommandOptionBoolean, Name: "rebuild", Description: "Recompute (mods only)"},
	}},
	{Name: "daily", Description: "Claim your daily bonus"},
	{Name: "tag", Description: "Saved snippets", Options: []*discordgo.ApplicationCommandOption{
		{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "create", Description: "Create a tag", Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionString, Name: "name", Description: "Tag name", Required: true},
			{Type: discordgo.ApplicationCommandOptionString, Name: "content", Description: "Text", Required: true},
		}},
		{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "show", Description: "Show a tag", Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionString, Name: "name", Description: "Tag name", Required: true},
		}},
		{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "list", Description: "Browse tags"},
	}},
	{Name: "verify", Description: "Verify your account", Options: []*discordgo.ApplicationCommandOption{
		{Type: discordgo.ApplicationCommandOptionString, Name: "code", Description: "Code from your DMs"},
	}},
	{Name: "config", Description: "Guild settings", Options: []*discordgo.ApplicationCommandOption{
		{Type: discordgo.ApplicationCommandOptionString, Name: "command", Description: "Command to tune", Required: true},
		{Type: discordgo.ApplicationCommandOptionInteger, Name: "cooldown", Description: "Cooldown in seconds", MinValue: &minFive},
		{Type: discordgo.ApplicationCommandOptionBoolean, Name: "enabled", Description: "Enable or disable"},
	}},
	{Name: "warn", Description: "Warn a member", Options: []*discordgo.ApplicationCommandOption{
		{Type: discordgo.ApplicationCommandOptionUser, Name: "member", Description: "Who", Required: true},
		{Type: discordgo.ApplicationCommandOptionString, Name: "reason", Description: "Why", Required: true},
		{Type: discordgo.ApplicationCommandOptionInteger, Name: "days", Description: "Keep for days", MinValue: &minOne, MaxValue: maxWarnDay},
	}},
	{Name: "slowmode", Description: "Per-member message window", Options: []*discordgo.ApplicationCommandOption{
		{Type: discordgo.ApplicationCommandOptionInteger, Name: "seconds", Description: "Window", Required: true, MinValue: &minOne},
	}},
	{Name: "purge-warns", Description: "Drop every stored warning in this guild"},
	{Name: "reactionrole", Description: "Bind an emoji to a role", Options: []*discordgo.ApplicationCommandOption{
		{Type: discordgo.ApplicationCommandOptionString, Name: "message", Description: "Message ID", Required: true},
		{Type: discordgo.ApplicationCommandOptionString, Name: "emoji", Description: "Emoji", Required: true},
		{Type: discordgo.ApplicationCommandOptionRole, Name: "role", Description: "Role", Required: true},
	}},
}
