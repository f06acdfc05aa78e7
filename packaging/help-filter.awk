# packaging/help-filter.awk - an applet's --help text in the shape help2man
# reads: the lines that continue "Usage:" become "  or: " lines (one
# SYNOPSIS line each), and the "Example: ..." lines, wherever they stand,
# go to an "Examples:" section at the end, one paragraph each.
BEGIN { in_usage = 0; n = 0 }
/^Usage: / { in_usage = 1; print; next }
in_usage && /^[ \t]+[^ \t]/ { sub(/^[ \t]+/, ""); print "  or: " $0; next }
{ in_usage = 0 }
/^[ \t]*Example: / { sub(/^[ \t]*Example: /, ""); ex[n++] = $0; next }
{ print }
END {
	if (n == 0)
		exit
	print ""
	print "Examples:"
	for (i = 0; i < n; i++) {
		print "  " ex[i]
		if (i + 1 < n)
			print ""
	}
}
