package league

import "slices"

// Standing is one row of a league table.
type Standing struct {
	Team    TeamID `json:"team"`
	Played  int    `json:"played"`
	Won     int    `json:"won"`
	Drawn   int    `json:"drawn"`
	Lost    int    `json:"lost"`
	For     int    `json:"for"`
	Against int    `json:"against"`
	Points  int    `json:"points"`
}

// RoundRobin pairs every team with every other once, rotating the list so
// that each round has len(teams)/2 matches. An odd team count gets a bye.
func RoundRobin(teams []TeamID) [][2]TeamID {
	ts := slices.Clone(teams)
	if len(ts)%2 == 1 {
		ts = append(ts, "")
	}
	n := len(ts)
	var pairs [][2]TeamID
	for round := range n - 1 {
		for i := range n / 2 {
			home, away := ts[i], ts[n-1-i]
			if home == "" || away == "" {
				continue
			}
			if round%2 == 1 {
				home, away = away, home
			}
			pairs = append(pairs, [2]TeamID{home, away})
		}
		last := ts[n-1]
		copy(ts[2:], ts[1:n-1])
		ts[1] = last
	}
	return pairs
}
