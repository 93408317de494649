from srccheck.cli import main

main()
