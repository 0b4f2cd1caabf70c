package driverindex

const base32 = "0123456789bcdefghjkmnpqrstuvwxyz"

// Encode returns the geohash of lat/lng with the given number of characters.
func Encode(lat, lng float64, precision int) string {
	latR := [2]float64{-90, 90}
	lngR := [2]float64{-180, 180}
	out := make([]byte, 0, precision)
	even := true
	bit, ch := 0, 0
	for len(out) < precision {
		if even {
			mid := (lngR[0] + lngR[1]) / 2
			if lng >= mid {
				ch |= 1 << (4 - bit)
				lngR[0] = mid
			} else {
				lngR[1] = mid
			}
		} else {
			mid := (latR[0] + latR[1]) / 2
			if lat >= mid {
				ch |= 1 << (4 - bit)
				latR[0] = mid
			} else {
				latR[1] = mid
			}
		}
		even = !even
		if bit < 4 {
			bit++
			continue
		}
		out = append(out, base32[ch])
		bit, ch = 0, 0
	}
	return string(out)
}

// Neighbours returns the cell of lat/lng and the eight cells around it,
// computed by nudging the point by roughly one cell width.
func Neighbours(lat, lng float64, precision int) []string {
	const dLat, dLng = 0.044, 0.044 // ~ one precision-5 cell at mid latitudes
	seen := map[string]bool{}
	var cells []string
	for _, dy := range []float64{-dLat, 0, dLat} {
		for _, dx := range []float64{-dLng, 0, dLng} {
			c := Encode(lat+dy, lng+dx, precision)
			if !seen[c] {
				seen[c] = true
				cells = append(cells, c)
			}
		}
	}
	return cells
}
