module kvlint.test/syumai027

go 1.26

require github.com/syumai/workers v0.27.0
