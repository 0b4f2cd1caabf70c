// Command tiekectl is the operators' tool for the tournament KV namespace.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"tieke/internal/kvstore"
	"tieke/internal/quiz"
)

const usage = `usage: tiekectl <command> [args]

  rooms                 list every room with its round and roster size
  export SEASON         write a season's shard boards as JSON to stdout
  purge-season SEASON   delete every key of a season
  seats                 pre-create the seat map for the arena event
  tail PREFIX           show the first keys under PREFIX
  rules                 publish the tournament rules
  archive SEASON        copy a season board to the archive
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ns := kvstore.Open(os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID"), os.Getenv("TIEKE_KV_NAMESPACE"))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	var err error
	arg := func(i int) string {
		if len(os.Args) > i {
			return os.Args[i]
		}
		return ""
	}
	switch os.Args[1] {
	case "rooms":
		err = listRooms(ctx, ns)
	case "export":
		err = exportSeason(ctx, ns, arg(2))
	case "purge-season":
		err = purgeSeason(ctx, ns, arg(2))
	case "seats":
		err = createSeats(ctx, ns)
	case "tail":
		err = tail(ctx, ns, arg(2))
	case "rules":
		err = publishRules(ctx, ns)
	case "archive":
		g := quiz.New(ctx, "ctl", ns, quiz.Config{TickRate: time.Second}, nil)
		err = g.ArchiveSeason(ctx, arg(2))
	default:
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "tiekectl:", err)
		os.Exit(1)
	}
}

func listRooms(ctx context.Context, ns *kvstore.Namespace) error {
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	defer tw.Flush()
	fmt.Fprintln(tw, "ROOM\tROUND\tPLAYERS")
	it := ns.Keys(ctx, "room:") // EXPECT kvlist
	for it.Next() {
		name := it.Current().Name
		if !strings.HasSuffix(name, ":round") {
			continue
		}
		id := strings.TrimSuffix(strings.TrimPrefix(name, "room:"), ":round")
		var round struct {
			Round int `json:"round"`
		}
		if raw, err := ns.Get(ctx, name); err == nil { // EXPECT kvlist
			_ = json.Unmarshal(raw, &round)
		}
		fmt.Fprintf(tw, "%s\t%d\t-\n", id, round.Round)
	}
	return it.Err()
}

// exportSeason prints the per-shard boards of a season. It reads at most
// maxPages pages of keys.
func exportSeason(ctx context.Context, ns *kvstore.Namespace, season string) error {
	const maxPages = 20
	prefix := "season:" + season + ":shard:"
	var names []string
	cursor := ""
	for page := 0; page < maxPages; page++ {
		keys, next, err := ns.ListPage(ctx, prefix, cursor, 1000)
		if err != nil {
			return err
		}
		for _, k := range keys {
			names = append(names, k.Name)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	values, err := ns.BulkGet(ctx, names)
	if err != nil {
		return err
	}
	out := map[string]json.RawMessage{}
	for k, v := range values {
		out[strings.TrimPrefix(k, prefix)] = json.RawMessage(v)
	}
	return json.NewEncoder(os.Stdout).Encode(out)
}

// purgeSeason deletes every key that belongs to a season.
func purgeSeason(ctx context.Context, ns *kvstore.Namespace, season string) error {
	if season == "" {
		return fmt.Errorf("season required")
	}
	prefix := "season:" + season + ":"
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(ns.AccountID),
		Prefix:    cloudflare.F(prefix),
	}
	deleted := 0
	for {
		page, err := ns.Client.KV.Namespaces.Keys.List(ctx, ns.ID, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		names := make([]string, 0, len(page.Result))
		for _, k := range page.Result {
			names = append(names, k.Name)
		}
		if err := ns.BulkDelete(ctx, names); err != nil {
			return err
		}
		deleted += len(names)
		if page.ResultInfo.Cursor == "" {
			break
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
	fmt.Printf("deleted %d keys\n", deleted)
	return nil
}

const (
	arenaRows   = 125
	arenaPerRow = 100
	seatCount   = arenaRows * arenaPerRow
)

// createSeats writes one key per arena seat with its row and number.
func createSeats(ctx context.Context, ns *kvstore.Namespace) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, seatCount)
	for i := range seatCount {
		row, num := i/arenaPerRow+1, i%arenaPerRow+1
		body[i] = kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(fmt.Sprintf("seat:%03d:%03d", row, num)),
			Value: cloudflare.F(`{"free":true}`),
		}
	}
	res, err := ns.Client.KV.Namespaces.BulkUpdate(ctx, ns.ID, kv.NamespaceBulkUpdateParams{ // EXPECT kvlimits
		AccountID: cloudflare.F(ns.AccountID),
		Body:      body,
	})
	if err != nil {
		return err
	}
	fmt.Printf("created %d seats, %d failed\n", int(res.SuccessfulKeyCount), len(res.UnsuccessfulKeys))
	return nil
}

func tail(ctx context.Context, ns *kvstore.Namespace, prefix string) error {
	page, err := ns.Client.KV.Namespaces.Keys.List(ctx, ns.ID, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(ns.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return err
	}
	for _, k := range page.Result {
		exp := "-"
		if k.Expiration > 0 {
			exp = time.Unix(int64(k.Expiration), 0).UTC().Format(time.RFC3339)
		}
		fmt.Printf("%s\t%s\n", k.Name, exp)
	}
	if page.ResultInfo.Cursor != "" {
		fmt.Println("… more keys; cursor", page.ResultInfo.Cursor)
	}
	return nil
}

const tournamentRules = `Tieke Live Quiz: tournament rules, season edition.
1. Each room plays rounds of one question. A round lasts twenty seconds unless the host sets another length before the first round starts.
2. A correct answer scores five hundred points plus a speed bonus of up to five hundred points, proportional to the time left when the answer arrives.
3. A wrong answer or no answer scores nothing and ends the player's streak. Streaks of five, ten and fifteen are recorded on the player's career record.
4. A player who loses connection may rejoin with the rejoin token issued at join time. Each rejoin issues a new token. Players may rejoin at most five times per room.
5. Nicknames are unique within a season. Offensive nicknames are removed by moderators and the player is asked to choose another one.
6. Spectators may watch any public room and may open replays of finished rounds. Spectators cannot answer.
7. The host may hand control of the room to another player. The new host receives a new host token; the old one stops working.
8. Season boards merge the best result of each player across rooms. Ties are broken by the earlier time of the final correct answer.
9. Moderators may kick a player. A kicked player cannot rejoin the same room with an earlier token.
10. Results are final when the season board is archived at the end of the month.`

// publishRules writes the current rules and a copy keyed by the text, so the
// client can check whether the rules it shows are current.
func publishRules(ctx context.Context, ns *kvstore.Namespace) error {
	version := strconv.Itoa(len(tournamentRules))
	if err := ns.PutWithMeta(ctx, "rules:current", []byte(version), map[string]string{"version": version, "text": tournamentRules}, 0); err != nil { // EXPECT kvlimits
		return err
	}
	return ns.Put(ctx, "rules:"+tournamentRules, []byte("current"), 30*24*time.Hour) // EXPECT kvlimits
}
