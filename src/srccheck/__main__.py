from srccheck.cli import main

if __name__ == "__main__":  # not when a spawned fetch worker imports it
    main()
