//go:build js && wasm

package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"strings"
	"time"

	"github.com/killdeer-games/killdeer/internal/guard"
	"github.com/killdeer-games/killdeer/internal/httpx"
	"github.com/killdeer-games/killdeer/internal/lobby"
	"github.com/killdeer-games/killdeer/internal/rewards"
	"github.com/killdeer-games/killdeer/internal/session"
	"github.com/killdeer-games/killdeer/internal/social"
)

// authed carries the session token from the Authorization header.
type authed struct {
	Token string `json:"-"`
}

func (a *authed) Bind(r *http.Request) error {
	a.Token = strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if a.Token == "" {
		return errors.New("missing bearer token")
	}
	return nil
}

// current resolves the caller's session, refreshes it, and rejects banned
// players.
func current(ctx context.Context, tok string) (*session.Session, error) {
	sess, err := sessions.Lookup(ctx, tok)
	if err != nil {
		if errors.Is(err, session.ErrExpired) {
			return nil, httpx.ErrUnauthorized
		}
		return nil, err
	}
	banned, reason, err := guard.PlayerBanned(sess.PlayerID)
	if err != nil {
		return nil, err
	}
	if banned {
		return nil, &httpx.StatusError{Code: http.StatusForbidden, Msg: "banned: " + reason}
	}
	if err := sessions.Touch(ctx, sess); err != nil {
		log.Printf("touch %s: %v", sess.ID, err)
	}
	return sess, nil
}

type loginReq struct {
	PlayerID string `json:"player_id"`
	DeviceID string `json:"device_id"`
	Region   string `json:"region"`
	IP       string `json:"-"`
}

func (l *loginReq) Bind(r *http.Request) error {
	l.IP = r.Header.Get("CF-Connecting-IP")
	return nil
}

type loginResp struct {
	Token   string    `json:"token"`
	Expires time.Time `json:"expires"`
}

func login(ctx context.Context, req loginReq) (loginResp, error) {
	if ok, err := guard.AllowLogin(req.IP); err == nil && !ok {
		return loginResp{}, httpx.ErrTooMany
	}
	if banned, err := guard.DeviceBanned(req.DeviceID); err != nil {
		return loginResp{}, err
	} else if banned {
		return loginResp{}, &httpx.StatusError{Code: http.StatusForbidden, Msg: "device banned"}
	}
	sess, err := sessions.Create(ctx, req.PlayerID, req.Region)
	if err != nil {
		return loginResp{}, err
	}
	return loginResp{Token: sess.Token(), Expires: sess.Expires}, nil
}

type magicReq struct {
	PlayerID string `json:"player_id"`
	Email    string `json:"email"`
}

func requestMagic(ctx context.Context, req magicReq) (httpx.Empty, error) {
	code, err := sessions.IssueMagicLink(ctx, req.PlayerID, req.Email)
	if err != nil {
		return httpx.Empty{}, err
	}
	log.Printf("magic link for %s queued (%d chars)", req.PlayerID, len(code))
	return httpx.Empty{}, nil
}

type redeemReq struct {
	Code   string `json:"code"`
	Region string `json:"region"`
}

func redeemMagic(ctx context.Context, req redeemReq) (loginResp, error) {
	sess, err := sessions.RedeemMagicLink(ctx, req.Code, req.Region)
	if err != nil {
		if errors.Is(err, session.ErrExpired) {
			return loginResp{}, httpx.ErrUnauthorized
		}
		return loginResp{}, err
	}
	return loginResp{Token: sess.Token(), Expires: sess.Expires}, nil
}

type logoutReq struct{ authed }

func logout(ctx context.Context, req logoutReq) (httpx.Empty, error) {
	return httpx.Empty{}, sessions.Revoke(ctx, req.Token)
}

type pwReq struct{ authed }

func passwordChanged(ctx context.Context, req pwReq) (map[string]int, error) {
	sess, err := current(ctx, req.Token)
	if err != nil {
		return nil, err
	}
	n, err := sessions.RevokeAll(ctx, sess.PlayerID)
	return map[string]int{"revoked": n}, err
}

type createLobbyReq struct {
	authed
	Mode string `json:"mode"`
	Max  int    `json:"max"`
}

func createLobby(ctx context.Context, req createLobbyReq) (*lobby.Lobby, error) {
	sess, err := current(ctx, req.Token)
	if err != nil {
		return nil, err
	}
	if guard.RegionBlocked(sess.Region) {
		return nil, &httpx.StatusError{Code: http.StatusServiceUnavailable, Msg: "matchmaking closed in region"}
	}
	l, err := lobbies.Create(ctx, lobby.CreateReq{Host: sess.PlayerID, Mode: req.Mode, Region: sess.Region, Max: req.Max})
	if err != nil {
		return nil, err
	}
	tok := req.Token
	httpx.Go(ctx, "attach-lobby", func(ctx context.Context) {
		if err := sessions.AttachLobby(ctx, tok, l.ID); err != nil {
			log.Printf("attach lobby: %v", err)
		}
	})
	return l, nil
}

type browseReq struct {
	authed
	lobby.BrowseReq
}

func (b *browseReq) Bind(r *http.Request) error {
	if err := b.authed.Bind(r); err != nil {
		return err
	}
	b.Mode = r.URL.Query().Get("mode")
	b.Cursor = r.URL.Query().Get("cursor")
	return nil
}

func browseLobbies(ctx context.Context, req browseReq) (lobby.BrowseResp, error) {
	if _, err := current(ctx, req.Token); err != nil {
		return lobby.BrowseResp{}, err
	}
	return lobbies.Browse(ctx, req.BrowseReq)
}

type lobbyReq struct {
	authed
	ID   string `json:"-"`
	Mode string `json:"mode"`
}

func (l *lobbyReq) Bind(r *http.Request) error {
	l.ID = r.PathValue("id")
	return l.authed.Bind(r)
}

func joinLobby(ctx context.Context, req lobbyReq) (*lobby.Lobby, error) {
	sess, err := current(ctx, req.Token)
	if err != nil {
		return nil, err
	}
	l, err := lobbies.Join(ctx, lobby.JoinReq{LobbyID: req.ID, PlayerID: sess.PlayerID})
	if err != nil {
		return nil, err
	}
	tok := req.Token
	httpx.Go(ctx, "attach-lobby", func(ctx context.Context) {
		_ = sessions.AttachLobby(ctx, tok, l.ID)
	})
	return l, nil
}

func leaveLobby(ctx context.Context, req lobbyReq) (httpx.Empty, error) {
	sess, err := current(ctx, req.Token)
	if err != nil {
		return httpx.Empty{}, err
	}
	return lobbies.Leave(ctx, lobby.JoinReq{LobbyID: req.ID, PlayerID: sess.PlayerID})
}

func startLobby(ctx context.Context, req lobbyReq) (map[string]int64, error) {
	if _, err := current(ctx, req.Token); err != nil {
		return nil, err
	}
	return lobbies.Start(ctx, lobby.StartReq{LobbyID: req.ID, Mode: req.Mode})
}

type cardResp struct {
	ID   string `json:"id"`
	HTML string `json:"html"`
}

func lobbyCard(ctx context.Context, req lobbyReq) (cardResp, error) {
	id := req.ID
	html := fmt.Sprintf(`<div class="lobby-card" data-id=%q></div>`, id)
	httpx.Go(ctx, "lobby-card", func(context.Context) {
		if err := lobbies.CachePreview(id, html); err != nil {
			log.Printf("card cache %s: %v", id, err)
		}
		if cfgEnabled("lobby_hits") {
			_ = guard.CountLobbyHit(id)
		}
	})
	return cardResp{ID: id, HTML: html}, nil
}

type quickReq struct {
	authed
	Mode string `json:"mode"`
}

func quickMatch(ctx context.Context, req quickReq) (*lobby.Lobby, error) {
	sess, err := current(ctx, req.Token)
	if err != nil {
		return nil, err
	}
	return lobbies.QuickMatch(ctx, lobby.QuickReq{PlayerID: sess.PlayerID, Mode: req.Mode, Region: sess.Region})
}

type finishedReq struct {
	LobbyID string         `json:"lobby_id"`
	Winner  string         `json:"winner"`
	Scores  map[string]int `json:"scores"`
}

type finishedResp struct {
	Recorded int `json:"recorded"`
}

// matchFinished is called by the dedicated game server when a match ends.
func matchFinished(ctx context.Context, req finishedReq) (finishedResp, error) {
	players := make([]string, 0, len(req.Scores))
	for p := range req.Scores {
		players = append(players, p)
	}
	results := make([]error, len(players))
	done := make(chan struct{}, len(players))
	for i, p := range players {
		go func() {
			defer func() { done <- struct{}{} }()
			_, results[i] = guard.RecordMatch(p)
			if results[i] == nil {
				results[i] = guard.Remember(p, fmt.Sprintf("%s:%d", req.LobbyID, req.Scores[p]))
			}
		}()
	}
	for range len(players) {
		<-done
	}
	summary := fmt.Sprintf(`{"lobby":%q,"winner":%q,"at":%d}`, req.LobbyID, req.Winner, time.Now().Unix())
	httpx.Go(ctx, "last-match", func(context.Context) {
		if err := state.PutString("stats:last-match", summary, nil); err != nil { // EXPECT kvhotkey
			log.Printf("last match: %v", err)
		}
	})
	ok := 0
	for _, err := range results {
		if err == nil {
			ok++
		}
	}
	return finishedResp{Recorded: ok}, errors.Join(results...)
}

type claimReq struct{ authed }

func claimReward(ctx context.Context, req claimReq) (rewards.ClaimResp, error) {
	sess, err := current(ctx, req.Token)
	if err != nil {
		return rewards.ClaimResp{}, err
	}
	return daily.Claim(ctx, rewards.ClaimReq{PlayerID: sess.PlayerID})
}

type inviteReq struct{ authed }

func createInvite(ctx context.Context, req inviteReq) (social.InviteResp, error) {
	sess, err := current(ctx, req.Token)
	if err != nil {
		return social.InviteResp{}, err
	}
	return friends.CreateInvite(ctx, social.InviteReq{PlayerID: sess.PlayerID})
}

type vanityReq struct {
	authed
	Code string `json:"code"`
}

func claimVanity(ctx context.Context, req vanityReq) (social.InviteResp, error) {
	sess, err := current(ctx, req.Token)
	if err != nil {
		return social.InviteResp{}, err
	}
	return friends.ClaimVanity(ctx, social.VanityReq{PlayerID: sess.PlayerID, Code: req.Code})
}

type acceptReq struct {
	authed
	Code string `json:"code"`
}

func acceptInvite(ctx context.Context, req acceptReq) (social.FriendsResp, error) {
	sess, err := current(ctx, req.Token)
	if err != nil {
		return social.FriendsResp{}, err
	}
	return friends.AcceptInvite(ctx, social.AcceptReq{Code: req.Code, PlayerID: sess.PlayerID})
}

type friendsReq struct{ authed }

func listFriends(ctx context.Context, req friendsReq) (social.FriendsResp, error) {
	sess, err := current(ctx, req.Token)
	if err != nil {
		return social.FriendsResp{}, err
	}
	return friends.Friends(ctx, social.FriendsReq{PlayerID: sess.PlayerID})
}

type renameReq struct {
	authed
	Name string `json:"name"`
}

func rename(ctx context.Context, req renameReq) (httpx.Empty, error) {
	sess, err := current(ctx, req.Token)
	if err != nil {
		return httpx.Empty{}, err
	}
	return friends.Rename(ctx, social.RenameReq{PlayerID: sess.PlayerID, Name: req.Name})
}
