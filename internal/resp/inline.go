package resp

// splitArgs splits an inline request line into arguments the way Redis's
// sdssplitargs does, and appends them to args:
//
//   - arguments are separated by blanks; leading blanks are any C isspace
//     byte, but an unquoted argument ends only at space, tab, CR or LF;
//   - "double quotes" take the escapes \n \r \t \b \a, \xHH (two hex
//     digits) and \<any other byte> for that byte;
//   - 'single quotes' take only \' as an escape;
//   - a closing quote must be followed by a blank or the end of the line,
//     and a quote must be closed; otherwise ok is false (unbalanced quotes);
//   - quotes may start in the middle of an argument: a"b c" is "ab c";
//   - the line ends at its first NUL byte, as in C. (Redis itself never
//     gets that far: it finds the end of an inline line with strchr, which
//     stops at the NUL, so it waits until the 64 KiB limit trips.)
//
// The arguments are decoded in place (escapes only shrink the text), so the
// returned slices alias line and line is overwritten.
func splitArgs(line []byte, args [][]byte) (_ [][]byte, ok bool) {
	for i, c := range line {
		if c == 0 {
			line = line[:i]
			break
		}
	}
	n := len(line)
	at := func(i int) byte {
		if i < n {
			return line[i]
		}
		return 0
	}
	p := 0
	for {
		for p < n && isSpace(line[p]) {
			p++
		}
		if p == n {
			return args, true
		}
		start, w := p, p
		inDouble, inSingle := false, false
		for done := false; !done; {
			c := at(p)
			switch {
			case inDouble:
				switch {
				case c == '\\' && at(p+1) == 'x' && isHex(at(p+2)) && isHex(at(p+3)):
					line[w] = unhex(at(p+2))<<4 | unhex(at(p+3))
					w++
					p += 4
				case c == '\\' && at(p+1) != 0:
					line[w] = unescape(line[p+1])
					w++
					p += 2
				case c == '"':
					if next := at(p + 1); next != 0 && !isSpace(next) {
						return args, false
					}
					done = true
					p++
				case c == 0:
					return args, false
				default:
					line[w] = c
					w++
					p++
				}
			case inSingle:
				switch {
				case c == '\\' && at(p+1) == '\'':
					line[w] = '\''
					w++
					p += 2
				case c == '\'':
					if next := at(p + 1); next != 0 && !isSpace(next) {
						return args, false
					}
					done = true
					p++
				case c == 0:
					return args, false
				default:
					line[w] = c
					w++
					p++
				}
			default:
				switch c {
				case ' ', '\n', '\r', '\t':
					done = true
					p++
				case 0:
					done = true
				case '"':
					inDouble = true
					p++
				case '\'':
					inSingle = true
					p++
				default:
					line[w] = c
					w++
					p++
				}
			}
		}
		args = append(args, line[start:w:w])
	}
}

// isSpace is C's isspace in the "C" locale.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// unescape maps the byte after a backslash inside double quotes.
func unescape(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	case 'b':
		return '\b'
	case 'a':
		return '\a'
	}
	return c
}
