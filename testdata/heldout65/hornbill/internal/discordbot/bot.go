// Package discordbot is hornbill's Discord bot: customers link their guild to
// a billing account, check their plan and usage, and communities run points,
// cooldowns and reaction roles that are gated by the plan.
package discordbot

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/hornbill-billing/hornbill/internal/billing"
	"github.com/hornbill-billing/hornbill/internal/kvstore"
)

// command handles one slash command.
type command struct {
	def    *discordgo.ApplicationCommand
	handle func(ctx context.Context, s *discordgo.Session, i *discordgo.InteractionCreate) (*discordgo.InteractionResponseData, error)
}

// Bot holds the command table and the KV namespace of the bot's state.
type Bot struct {
	kv       *kvstore.Store
	billing  *billing.Service
	log      *slog.Logger
	commands map[string]command
	appID    string
}

// New builds the bot and its command table.
func New(store *kvstore.Store, svc *billing.Service, log *slog.Logger) *Bot {
	b := &Bot{kv: store, billing: svc, log: log}
	minBump := 10.0
	b.commands = map[string]command{
		"plan":  {def: &discordgo.ApplicationCommand{Name: "plan", Description: "Show this server's hornbill plan"}, handle: b.cmdPlan},
		"daily": {def: &discordgo.ApplicationCommand{Name: "daily", Description: "Claim your daily points"}, handle: b.cmdDaily},
		"bump": {def: &discordgo.ApplicationCommand{
			Name: "bump", Description: "Bump the server listing",
			Options: []*discordgo.ApplicationCommandOption{{
				Type: discordgo.ApplicationCommandOptionInteger, Name: "cooldown", Description: "Seconds before anyone can bump again",
				MinValue: &minBump, MaxValue: 3600,
			}},
		}, handle: b.cmdBump},
		"leaderboard":  {def: &discordgo.ApplicationCommand{Name: "leaderboard", Description: "Top members by points"}, handle: b.cmdLeaderboard},
		"settings":     {def: settingsDef, handle: b.cmdSettings},
		"reactionrole": {def: reactionRoleDef, handle: b.cmdReactionRole},
		"redeem": {def: &discordgo.ApplicationCommand{
			Name: "redeem", Description: "Redeem a promo code for this server",
			Options: []*discordgo.ApplicationCommandOption{{Type: discordgo.ApplicationCommandOptionString, Name: "code", Description: "Promo code", Required: true}},
		}, handle: b.cmdRedeem},
		"link": {def: &discordgo.ApplicationCommand{
			Name: "link", Description: "Link this server to a hornbill customer",
			Options: []*discordgo.ApplicationCommandOption{{Type: discordgo.ApplicationCommandOptionString, Name: "customer", Description: "Stripe customer ID", Required: true}},
		}, handle: b.cmdLink},
	}
	return b
}

// Register installs the commands and the gateway handlers on the session.
func (b *Bot) Register(ctx context.Context, s *discordgo.Session) error {
	s.AddHandler(func(s *discordgo.Session, r *discordgo.Ready) {
		b.appID = r.User.ID
		b.log.Info("discord ready", "guilds", len(r.Guilds))
	})
	s.AddHandler(func(s *discordgo.Session, i *discordgo.InteractionCreate) {
		b.dispatch(ctx, s, i)
	})
	s.AddHandler(func(s *discordgo.Session, m *discordgo.MessageCreate) {
		b.onMessage(ctx, m)
	})
	s.AddHandler(func(s *discordgo.Session, g *discordgo.GuildCreate) {
		b.onGuildCreate(ctx, g)
	})
	s.AddHandler(func(s *discordgo.Session, r *discordgo.MessageReactionAdd) {
		b.onReaction(ctx, s, r.MessageReaction, true)
	})
	s.AddHandler(func(s *discordgo.Session, r *discordgo.MessageReactionRemove) {
		b.onReaction(ctx, s, r.MessageReaction, false)
	})
	return nil
}

// CreateCommands registers the slash commands with Discord.
func (b *Bot) CreateCommands(s *discordgo.Session, appID string) error {
	for _, c := range b.commands {
		if _, err := s.ApplicationCommandCreate(appID, "", c.def); err != nil {
			return err
		}
	}
	return nil
}

func (b *Bot) dispatch(ctx context.Context, s *discordgo.Session, i *discordgo.InteractionCreate) {
	var (
		data *discordgo.InteractionResponseData
		err  error
	)
	switch i.Type {
	case discordgo.InteractionApplicationCommand:
		c, ok := b.commands[i.ApplicationCommandData().Name]
		if !ok {
			return
		}
		ctx, cancel := context.WithTimeout(ctx, 2500*time.Millisecond)
		defer cancel()
		data, err = c.handle(ctx, s, i)
	case discordgo.InteractionMessageComponent:
		data, err = b.onComponent(ctx, i)
	default:
		return
	}
	if err != nil {
		b.log.Error("discord interaction", "guild", i.GuildID, "err", err)
		data = &discordgo.InteractionResponseData{Content: "Something went wrong, try again in a minute.", Flags: discordgo.MessageFlagsEphemeral}
	}
	typ := discordgo.InteractionResponseChannelMessageWithSource
	if i.Type == discordgo.InteractionMessageComponent {
		typ = discordgo.InteractionResponseUpdateMessage
	}
	if err := s.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{Type: typ, Data: data}); err != nil {
		b.log.Warn("respond", "err", err)
	}
}

func userID(i *discordgo.InteractionCreate) string {
	if i.Member != nil && i.Member.User != nil {
		return i.Member.User.ID
	}
	if i.User != nil {
		return i.User.ID
	}
	return ""
}

func option(i *discordgo.InteractionCreate, name string) *discordgo.ApplicationCommandInteractionDataOption {
	for _, o := range i.ApplicationCommandData().Options {
		if o.Name == name {
			return o
		}
	}
	return nil
}

func reply(format string) *discordgo.InteractionResponseData {
	return &discordgo.InteractionResponseData{Content: format, Flags: discordgo.MessageFlagsEphemeral}
}

// onMessage keeps the "last seen" line on the status page fresh.
func (b *Bot) onMessage(ctx context.Context, m *discordgo.MessageCreate) {
	if m.Author == nil || m.Author.Bot {
		return
	}
	_ = b.kv.Put(ctx, "bot:discord:last_message_at", []byte(strconv.FormatInt(time.Now().Unix(), 10)), 0) // EXPECT kvhotkey
}
